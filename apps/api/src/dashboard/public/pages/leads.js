// Leads: who to call next (the scoring list, hot first), filterable and sortable, each row linking to the
// lead's timeline; beside it the unassigned queue and the SLAs about to breach, where the role may see them.
import { ApiError, get } from '../api.js';
import { CHANNELS, el, number, onApply, select, when } from '../format.js';

const LEAD_STAGES = ['lead', 'mql', 'sql', 'opportunity', 'customer', 'nurturing', 'disqualified'];
const state = { stage: '', temperature: '', channel: '', minScore: '', sort: 'score', column: 'score', descending: true };
/** An SLA due within this is "about to breach". */
const SOON_MS = 4 * 3_600_000;

export async function render(container, { explain }) {
  const form = el(
    'form',
    { class: 'card filters', 'aria-label': 'Lead filters' },
    el('div', {}, ...select('l-stage', 'Stage', LEAD_STAGES, state.stage)),
    el('div', {}, ...select('l-temperature', 'Temperature', ['hot', 'warm', 'cold'], state.temperature)),
    el('div', {}, ...select('l-channel', 'Channel', CHANNELS, state.channel)),
    el('div', {}, el('label', { for: 'l-min' }, 'Minimum score'), el('input', { id: 'l-min', type: 'number', step: '1', value: state.minScore })),
    el('div', {}, el('label', { for: 'l-sort' }, 'Order from the API'), el('select', { id: 'l-sort' }, el('option', { value: 'score', selected: state.sort === 'score' }, 'score'), el('option', { value: 'lastActivity', selected: state.sort === 'lastActivity' }, 'last activity'))),
    el('button', { type: 'submit' }, 'Apply'),
  );
  const list = el('section', { class: 'card' });
  const queue = el('section', { class: 'card' });
  const sla = el('section', { class: 'card' });
  container.replaceChildren(el('h2', {}, 'Leads: who to call next'), form, list, el('div', { class: 'grid' }, queue, sla));
  onApply(form, { stage: '#l-stage', temperature: '#l-temperature', channel: '#l-channel', minScore: '#l-min', sort: '#l-sort' }, state, () => loadList(list), explain);
  await loadList(list);
  await Promise.all([loadQueue(queue), loadSla(sla)]);
}

const COLUMNS = [
  ['leadId', 'lead', (l) => l.leadId],
  ['score', 'score', (l) => l.score.total],
  ['temperature', 'temperature', (l) => ({ hot: 3, warm: 2, cold: 1 })[l.temperature]],
  ['stage', 'stage', (l) => l.stage],
  ['ownerId', 'owner', (l) => l.ownerId ?? ''],
  ['channel', 'channel', (l) => l.channel],
  ['campaign', 'campaign', (l) => l.campaign ?? ''],
  ['lastActivityAt', 'last activity', (l) => l.lastActivityAt],
];

async function loadList(section) {
  const answer = await get('/v1/leads', { stage: state.stage, temperature: state.temperature, channel: state.channel, minScore: state.minScore, sort: state.sort, limit: 200 });
  const draw = () => {
    const key = COLUMNS.find(([name]) => name === state.column)[2];
    const items = [...answer.items].sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (state.descending ? -1 : 1);
    });
    const head = el(
      'tr',
      {},
      COLUMNS.map(([name, label]) => {
        const sorted = state.column === name;
        const button = el('button', { type: 'button' }, label, sorted ? (state.descending ? ' ▼' : ' ▲') : '');
        button.addEventListener('click', () => {
          state.descending = state.column === name ? !state.descending : true;
          state.column = name;
          draw();
          section.querySelector(`th[data-column="${name}"] button`).focus();
        });
        return el('th', { scope: 'col', dataset: { column: name }, 'aria-sort': sorted ? (state.descending ? 'descending' : 'ascending') : 'none', class: ['ownerId', 'campaign'].includes(name) ? 'hide-narrow' : undefined }, button);
      }),
    );
    const rows = items.map((l) =>
      el(
        'tr',
        { dataset: { lead: l.leadId } },
        el('td', {}, el('a', { href: `#/lead/${l.leadId}` }, l.leadId.slice(0, 8))),
        el('td', { class: 'num' }, number(l.score.total)),
        el('td', {}, el('span', { class: `tag ${l.temperature}` }, l.temperature)),
        el('td', {}, l.stage, l.quarantined ? el('span', { class: 'tag overdue' }, 'quarantined') : ''),
        el('td', { class: 'hide-narrow' }, l.ownerId ?? 'unassigned'),
        el('td', {}, l.channel),
        el('td', { class: 'hide-narrow' }, l.campaign ?? '–'),
        el('td', {}, when(l.lastActivityAt)),
      ),
    );
    section.replaceChildren(
      el('h3', {}, `Scoring list (${items.length}${answer.nextCursor ? '+' : ''})`),
      el('div', { class: 'table-wrap' }, el('table', { 'aria-label': 'Leads by score' }, el('thead', {}, head), el('tbody', {}, rows))),
    );
  };
  draw();
}

/** A section the role may not see says so, in place, instead of failing the page. */
function refusedIn(section, title, error) {
  if (!(error instanceof ApiError) || error.status !== 403) throw error;
  section.replaceChildren(el('h3', {}, title), el('p', { class: 'muted' }, `Not available to your role (403 ${error.code}).`));
}

async function loadQueue(section) {
  try {
    const answer = await get('/v1/queue', { limit: 50 });
    section.replaceChildren(
      el('h3', {}, `Unassigned queue (${answer.items.length})`),
      answer.eventsBehind ? el('p', { class: 'muted' }, `Routing has ${answer.eventsBehind} event(s) still to handle.`) : '',
      answer.items.length
        ? el('ul', {}, answer.items.map((q) => el('li', {}, el('a', { href: `#/lead/${q.leadId}` }, q.leadId.slice(0, 8)), ` ${q.reason}`, q.teamId ? ` (team ${q.teamId})` : '', el('span', { class: 'meta' }, ` since ${when(q.since)}`))))
        : el('p', { class: 'muted' }, 'Nobody waiting.'),
    );
  } catch (error) {
    refusedIn(section, 'Unassigned queue', error);
  }
}

async function loadSla(section) {
  try {
    const answer = await get('/v1/sla');
    const now = Date.now();
    const soon = answer.open.filter((s) => new Date(s.dueAt).getTime() - now < SOON_MS);
    section.replaceChildren(
      el('h3', {}, `SLAs about to breach (${soon.length} of ${answer.counts.open} open)`),
      soon.length
        ? el('ul', {}, soon.map((s) => el('li', {}, el('a', { href: `#/lead/${s.leadId}` }, s.leadId.slice(0, 8)), ` ${s.ownerId}, ${s.policyId}, due ${when(s.dueAt)} `, s.overdue ? el('span', { class: 'tag overdue' }, 'overdue') : '')))
        : el('p', { class: 'muted' }, 'None due within four hours.'),
      el('p', { class: 'meta' }, `Met ${answer.counts.met}, breached ${answer.counts.breached}.`),
    );
  } catch (error) {
    refusedIn(section, 'SLAs about to breach', error);
  }
}
