// Lead timeline: every event of the lead and its opportunities in global order (the history endpoint),
// stage and score changes marked, who and why, an as-of slider over the lead's state (the API's asOf),
// the hash-chain links of the events shown, and erased personal data shown as erased.
import { get } from '../api.js';
import { chart } from '../charts.js';
import { el, number, when } from '../format.js';

export async function render(container, { params }) {
  const leadId = params[0];
  if (!leadId) {
    container.replaceChildren(el('h2', {}, 'Lead timeline'), el('p', {}, 'Open a lead from the ', el('a', { href: '#/leads' }, 'Leads'), ' page.'));
    return;
  }
  const history = await get(`/v1/leads/${encodeURIComponent(leadId)}/history`);
  const events = history.events;
  const items = events.map((event, index) => eventItem(event, index));
  const list = el('ol', { class: 'timeline', 'aria-label': 'Events in order' }, items);
  // The slider walks the business times of the events, in time order (a backdated event sorts by its time).
  const times = [...new Set(events.map((e) => e.metadata.occurredAt))].sort();
  const slider = el('input', { id: 'as-of', type: 'range', min: 0, max: Math.max(0, times.length - 1), step: 1, value: Math.max(0, times.length - 1), 'aria-valuetext': when(times.at(-1)) });
  const asOfLabel = el('output', { for: 'as-of', id: 'as-of-time' }, when(times.at(-1)));
  const stateBox = el('div', { class: 'state', 'aria-live': 'polite' });
  const scoreBox = el('div', { class: 'chart small', role: 'img', 'aria-label': 'Score over time' });
  container.replaceChildren(
    el('h2', {}, 'Lead ', el('code', {}, leadId)),
    el(
      'div',
      { class: 'grid' },
      el(
        'section',
        { class: 'card' },
        el('h3', {}, 'State as of'),
        el('label', { for: 'as-of' }, 'Moment (business time)'),
        slider,
        el('p', {}, asOfLabel),
        stateBox,
      ),
      el('section', { class: 'card' }, el('h3', {}, 'Hash chain'), chainVerdict(events)),
    ),
    el('section', { class: 'card' }, el('h3', {}, 'Score'), scoreBox),
    el('section', { class: 'card' }, el('h3', {}, `Events (${events.length})`), list),
  );
  const scores = events.filter((e) => e.transition.score).map((e) => [e.metadata.occurredAt, e.transition.score.after]);
  chart(scoreBox, {
    tooltip: { trigger: 'axis' },
    grid: { left: 40, right: 16, top: 16, bottom: 30, containLabel: true },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: 'score' },
    series: [{ type: 'line', step: 'end', data: scores, symbolSize: 6 }],
  });
  const showAsOf = async () => {
    const at = times[Number(slider.value)];
    asOfLabel.textContent = when(at);
    slider.setAttribute('aria-valuetext', when(at));
    // Events after the moment are dimmed; the state is the API's own fold up to it.
    events.forEach((e, i) => items[i].classList.toggle('future', e.metadata.occurredAt > at));
    const lead = await get(`/v1/leads/${encodeURIComponent(leadId)}`, { asOf: at });
    stateBox.replaceChildren(
      el(
        'dl',
        { dataset: { testid: 'as-of-state' } },
        el('dt', {}, 'stage'),
        el('dd', { dataset: { testid: 'as-of-stage' } }, lead.stage),
        el('dt', {}, 'score'),
        el('dd', {}, `${number(lead.score.total)} (fit ${number(lead.score.fit)}, engagement ${number(lead.score.engagement)})`),
        el('dt', {}, 'temperature'),
        el('dd', {}, lead.temperature),
        el('dt', {}, 'owner'),
        el('dd', {}, lead.ownerId ?? 'unassigned'),
        el('dt', {}, 'revision'),
        el('dd', {}, String(lead.revision)),
      ),
    );
  };
  slider.addEventListener('change', () => void showAsOf().catch((error) => stateBox.replaceChildren(el('p', { class: 'error' }, error.message))));
  slider.addEventListener('input', () => (asOfLabel.textContent = when(times[Number(slider.value)])));
  if (times.length) await showAsOf();
}

function eventItem(event, index) {
  const t = event.transition;
  const marks = [];
  if (t.stage) marks.push(el('span', { class: 'mark stage' }, `stage ${t.stage.before ?? '∅'} → ${t.stage.after}`));
  if (t.score) marks.push(el('span', { class: 'mark score' }, `score ${t.score.before ?? '∅'} → ${t.score.after}`));
  if (t.opportunityStatus) marks.push(el('span', { class: 'mark stage' }, `opportunity ${t.opportunityStatus.before} → ${t.opportunityStatus.after}`));
  if (t.opportunityStage) marks.push(el('span', { class: 'mark' }, `pipeline ${t.opportunityStage.before ?? '∅'} → ${t.opportunityStage.after}`));
  const m = event.metadata;
  return el(
    'li',
    { class: t.stage ? 'stage' : t.score ? 'score' : undefined, dataset: { testid: 'event', type: event.type, index: String(index) } },
    el('div', {}, el('span', { class: 'event-type' }, event.type), ...marks),
    el('div', {}, when(m.occurredAt), m.recordedAt !== m.occurredAt ? el('span', { class: 'meta' }, ` (recorded ${when(m.recordedAt)})`) : ''),
    details(event),
    el('div', { class: 'meta' }, `by ${m.actorName ? `${m.actorName} (${m.actor})` : m.actor}`, m.onBehalfOf ? `, on behalf of ${m.onBehalfOf}` : '', m.command ? `, command ${m.command}` : ''),
    el('div', { class: 'meta' }, `caused by ${m.causationId}; correlation ${m.correlationId}; ${event.streamId} r${event.revision}`),
  );
}

/** The facts worth a line; personal data only as the API gives it, and erased when erased. */
function details(event) {
  const d = event.data;
  const parts = [];
  if (d.contact) {
    if (d.contact.erased) parts.push(el('span', { class: 'erased', dataset: { testid: 'erased' } }, 'personal data erased'));
    else parts.push(`contact ${[d.contact.firstName, d.contact.lastName].filter(Boolean).join(' ')} ${d.contact.email ?? ''}`.trim());
  }
  if (d.source) parts.push(`from ${d.source.channel}${d.source.campaign ? ` / ${d.source.campaign}` : ''}`);
  if (d.activityType) parts.push(`${d.activityType} (+${d.points})`);
  if (d.ownerId && event.type === 'LeadAssigned') parts.push(`to ${d.ownerId} (${d.reason})`);
  if (d.reason && event.type !== 'LeadAssigned') parts.push(`reason: ${typeof d.reason === 'string' ? d.reason : JSON.stringify(d.reason)}`);
  if (d.amount !== undefined && d.currency) parts.push(`${d.amount} ${d.currency}`);
  return parts.length ? el('div', {}, ...parts.flatMap((p, i) => (i ? ['; ', p] : [p]))) : '';
}

/**
 * The API offers no verification per lead (README, For auditors: `npm run audit -- verify --lead`); what a
 * browser can check is that each event's previousHash is the hash of the event before it in its stream.
 */
function chainVerdict(events) {
  const lastHash = new Map();
  let unsealed = 0;
  const broken = [];
  for (const event of events) {
    const seal = event.metadata.integrity;
    if (!seal) {
      unsealed++;
      continue;
    }
    const previous = lastHash.get(event.streamId);
    if (previous !== undefined && seal.previousHash !== previous) broken.push(`${event.streamId} r${event.revision}`);
    if (previous === undefined && Number(event.revision) === 0 && !/^0{64}$/.test(seal.previousHash)) broken.push(`${event.streamId} r0`);
    lastHash.set(event.streamId, seal.hash);
  }
  const ok = broken.length === 0 && unsealed === 0;
  return el(
    'div',
    { dataset: { testid: 'chain' } },
    el(
      'p',
      { class: `verdict ${ok ? 'ok' : 'bad'}` },
      ok ? `Links intact: ${events.length} sealed events in ${lastHash.size} stream(s).` : `${broken.length ? `Broken link at ${broken.join(', ')}. ` : ''}${unsealed ? `${unsealed} unsealed event(s).` : ''}`,
    ),
    el(
      'p',
      { class: 'meta' },
      'The API offers no per-lead verification, so the browser checks that each event names the previous hash of its stream; it does not recompute the hashes. For the full check: ',
      el('code', {}, `npm run audit -- verify --lead ${events[0]?.data.leadId ?? '<leadId>'}`),
    ),
  );
}
