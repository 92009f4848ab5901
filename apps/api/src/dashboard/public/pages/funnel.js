// Funnel: the stages as a tapered funnel with counts, drop-off and conversion, in either counting mode,
// for a capture cohort (period, channel, campaign), with a breakdown by channel or campaign.
import { get } from '../api.js';
import { chart } from '../charts.js';
import { CHANNELS, el, number, onApply, percent, select, STAGES } from '../format.js';

const RATES = ['lead_to_mql', 'mql_to_sql', 'sql_to_opportunity', 'opportunity_to_customer'];
const state = { from: '', to: '', channel: '', campaign: '', mode: 'anyPath', groupBy: '' };

export async function render(container, { explain }) {
  const form = el(
    'form',
    { class: 'card filters', 'aria-label': 'Funnel filters' },
    el('div', {}, el('label', { for: 'f-from' }, 'Captured from'), el('input', { id: 'f-from', type: 'date', value: state.from })),
    el('div', {}, el('label', { for: 'f-to' }, 'Captured before'), el('input', { id: 'f-to', type: 'date', value: state.to })),
    el('div', {}, ...select('f-channel', 'Channel', CHANNELS, state.channel)),
    el('div', {}, el('label', { for: 'f-campaign' }, 'Campaign'), el('input', { id: 'f-campaign', type: 'text', value: state.campaign, placeholder: 'all' })),
    el(
      'fieldset',
      {},
      el('legend', {}, 'Counting'),
      el('label', {}, el('input', { type: 'radio', name: 'mode', value: 'anyPath', checked: state.mode === 'anyPath' }), 'any path'),
      el('label', {}, el('input', { type: 'radio', name: 'mode', value: 'inOrder', checked: state.mode === 'inOrder' }), 'in order'),
    ),
    el('div', {}, ...select('f-group', 'Breakdown by', ['channel', 'campaign'], state.groupBy, 'none')),
    el('button', { type: 'submit' }, 'Apply'),
  );
  const body = el('div');
  container.replaceChildren(el('h2', {}, 'Funnel'), form, body);
  onApply(form, { from: '#f-from', to: '#f-to', channel: '#f-channel', campaign: '#f-campaign', mode: 'input[name="mode"]:checked', groupBy: '#f-group' }, state, () => load(body), explain);
  await load(body);
}

async function load(body) {
  const cohort = {
    from: state.from && `${state.from}T00:00:00Z`,
    to: state.to && `${state.to}T00:00:00Z`,
    channel: state.channel,
    campaign: state.campaign,
  };
  // The whole cohort for the funnel itself; the breakdown is a second query with groupBy.
  const [total, grouped] = await Promise.all([get('/v1/funnel', cohort), state.groupBy ? get('/v1/funnel', { ...cohort, groupBy: state.groupBy }) : undefined]);
  const group = total.groups[0];
  const reached = group.reached[state.mode];
  const rates = group.conversion[state.mode];
  const funnelBox = el('div', { class: 'chart', role: 'img', 'aria-label': `Funnel, ${state.mode === 'anyPath' ? 'any path' : 'in order'}` });
  const rows = STAGES.map((stage, i) => {
    const next = STAGES[i + 1];
    return el(
      'tr',
      { dataset: { stage } },
      el('th', { scope: 'row' }, stage),
      el('td', { class: 'num', dataset: { testid: `reached-${stage}` } }, number(reached[stage])),
      el('td', { class: 'num' }, number(group.current[stage])),
      el('td', { class: 'num' }, next ? number(reached[stage] - reached[next]) : '–'),
      el('td', { class: 'num' }, next ? percent(rates[RATES[i]]) : '–'),
    );
  });
  const table = el(
    'table',
    { 'aria-label': 'Funnel counts' },
    el('thead', {}, el('tr', {}, el('th', {}, 'stage'), el('th', { class: 'num' }, 'reached'), el('th', { class: 'num' }, 'in it now'), el('th', { class: 'num' }, 'drop-off to next'), el('th', { class: 'num' }, 'conversion to next'))),
    el('tbody', {}, rows),
  );
  const side = el(
    'p',
    { class: 'muted' },
    `Also now: nurturing ${number(group.current.nurturing)}, disqualified ${number(group.current.disqualified)}. Lead to customer: ${percent(rates.lead_to_customer)}. Counting: `,
    state.mode === 'anyPath' ? total.counting.anyPath : total.counting.inOrder,
    '.',
    total.quarantinedLeads ? ` ${total.quarantinedLeads} quarantined lead(s) counted with what their rows hold.` : '',
  );
  body.replaceChildren(el('div', { class: 'grid' }, el('section', { class: 'card' }, el('h3', {}, 'Stages'), funnelBox), el('section', { class: 'card' }, el('h3', {}, 'Counts'), el('div', { class: 'table-wrap' }, table), side)));
  chart(funnelBox, {
    tooltip: { trigger: 'item', formatter: '{b}: {c}' },
    series: [
      {
        type: 'funnel',
        sort: 'none',
        min: 0,
        max: Math.max(1, reached.lead),
        minSize: '8%',
        gap: 2,
        label: { show: true, position: 'inside', formatter: '{b}: {c}' },
        data: STAGES.map((stage) => ({ name: stage, value: reached[stage] })),
      },
    ],
  });
  if (grouped) breakdown(body, grouped);
}

function breakdown(body, grouped) {
  const groups = grouped.groups;
  const box = el('div', { class: 'chart', role: 'img', 'aria-label': `Stages reached by ${state.groupBy}` });
  const table = el(
    'table',
    { 'aria-label': `Breakdown by ${state.groupBy}` },
    el('thead', {}, el('tr', {}, el('th', {}, state.groupBy), ...STAGES.map((s) => el('th', { class: 'num' }, s)), el('th', { class: 'num' }, 'lead → customer'))),
    el(
      'tbody',
      {},
      groups.map((g) =>
        el('tr', {}, el('th', { scope: 'row' }, g.key ?? '(none)'), ...STAGES.map((s) => el('td', { class: 'num' }, number(g.reached[state.mode][s]))), el('td', { class: 'num' }, percent(g.conversion[state.mode].lead_to_customer))),
      ),
    ),
  );
  body.append(el('section', { class: 'card' }, el('h3', {}, `Breakdown by ${state.groupBy}`), box, el('div', { class: 'table-wrap' }, table)));
  chart(box, {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 40, right: 10, top: 40, bottom: 60, containLabel: true },
    xAxis: { type: 'category', data: groups.map((g) => g.key ?? '(none)'), axisLabel: { rotate: 30 } },
    yAxis: { type: 'value' },
    series: STAGES.map((s) => ({ type: 'bar', name: s, data: groups.map((g) => g.reached[state.mode][s]) })),
  });
}
