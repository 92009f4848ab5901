// KPIs: cards for the rates, times, money and acquisition cost of a capture cohort, each with its
// definition (README, KPI definitions) on hover or focus and its change against the previous period of the
// same length; loss and disqualification reasons as bars; won revenue by capture month.
import { get } from '../api.js';
import { chart } from '../charts.js';
import { CHANNELS, duration, el, money, number, onApply, percent, select } from '../format.js';

const DAY = 86_400_000;
// days as the select's text value; read with Number().
const state = { days: '90', channel: '', campaign: '' };

/** [name, definition, value of a KpisResponse, format, higher is better]. */
const CARDS = [
  ['Leads captured', 'Leads captured in the period.', (k) => k.leadsCaptured, number, true],
  ['MQL → SQL', 'Leads that reached sql / leads that reached mql.', (k) => k.conversion.mqlToSql, percent, true],
  ['SQL → opportunity', 'Leads that reached opportunity / leads that reached sql.', (k) => k.conversion.sqlToOpportunity, percent, true],
  ['Opportunity → won', 'Leads that became customers / leads that reached opportunity.', (k) => k.conversion.opportunityToWon, percent, true],
  ['Win rate', 'Won opportunities / (won + lost) opportunities of the cohort; open ones do not count.', (k) => k.winRate, percent, true],
  ['Median time as MQL', 'Median length of completed visits to mql (entered → left).', (k) => k.timeInStage.mql.medianMs, duration, false],
  ['Median time as SQL', 'Median length of completed visits to sql (entered → left).', (k) => k.timeInStage.sql.medianMs, duration, false],
  ['Median time as opportunity', 'Median length of completed visits to opportunity (entered → left).', (k) => k.timeInStage.opportunity.medianMs, duration, false],
  ['Lead to customer', 'Median time from capture to conversion, over the leads that converted.', (k) => k.leadToCustomer.medianMs, duration, false],
  ['Cost per lead', 'Total acquisition cost / leads that recorded a cost.', (k) => k.acquisition.costPerLead, (v) => (v === null ? '–' : v.toFixed(2)), false],
  ['Cost per customer', 'Total acquisition cost / customers among the leads that recorded a cost.', (k) => k.acquisition.costPerCustomer, (v) => (v === null ? '–' : v.toFixed(2)), false],
  ['Speed to lead', 'Median time from first assignment to first sales touch.', (k) => (k.speedToLead.medianSeconds === null ? null : k.speedToLead.medianSeconds * 1000), duration, false],
];
/** Money per currency: [name, definition, value]. */
const MONEY = [
  ['Pipeline value', 'Sum of the amounts of open opportunities, per currency.', (k) => k.pipelineValue],
  ['Won revenue', 'Sum of the won amounts, per currency.', (k) => k.wonRevenue],
  ['Return on spend', 'Won revenue of the leads that recorded a cost / their total cost, per currency.', (k) => k.acquisition.returnOnSpend ?? {}],
];

export async function render(container, { explain }) {
  const form = el(
    'form',
    { class: 'card filters', 'aria-label': 'KPI filters' },
    el('div', {}, el('label', { for: 'k-days' }, 'Period (captured in the last)'), el('select', { id: 'k-days' }, [30, 90, 180, 365].map((d) => el('option', { value: d, selected: d === Number(state.days) }, `${d} days`)))),
    el('div', {}, ...select('k-channel', 'Channel', CHANNELS, state.channel)),
    el('div', {}, el('label', { for: 'k-campaign' }, 'Campaign'), el('input', { id: 'k-campaign', type: 'text', value: state.campaign, placeholder: 'all' })),
    el('button', { type: 'submit' }, 'Apply'),
  );
  const body = el('div');
  container.replaceChildren(el('h2', {}, 'KPIs'), form, body);
  onApply(form, { days: '#k-days', channel: '#k-channel', campaign: '#k-campaign' }, state, () => load(body), explain);
  await load(body);
}

async function load(body) {
  // The period ends at the next midnight UTC, so today's captures count; the previous one is as long.
  const to = new Date(Math.ceil(Date.now() / DAY) * DAY);
  const days = Number(state.days);
  const from = new Date(to.getTime() - days * DAY);
  const before = new Date(from.getTime() - days * DAY);
  const cohort = { channel: state.channel, campaign: state.campaign };
  const [now, previous] = await Promise.all([
    get('/v1/kpis', { ...cohort, from: from.toISOString(), to: to.toISOString() }),
    get('/v1/kpis', { ...cohort, from: before.toISOString(), to: from.toISOString() }),
  ]);
  const k = now.overall;
  const p = previous.overall;
  // A change of a rate reads in percentage points, not as a rate of its own.
  const points = (v) => `${(v * 100).toFixed(1)} pts`;
  const cards = CARDS.map(([name, definition, value, format, higherIsBetter]) => card(name, definition, format(value(k)), delta(value(k), value(p), higherIsBetter, format === percent ? points : format)));
  const moneyCards = MONEY.flatMap(([name, definition, value]) => {
    const current = value(k);
    const earlier = value(p);
    const currencies = Object.keys(current).length ? Object.keys(current) : Object.keys(earlier);
    if (!currencies.length) return [card(name, definition, '–', '')];
    return currencies.map((c) =>
      name === 'Return on spend'
        ? card(`${name} (${c})`, definition, current[c] === undefined ? '–' : `${current[c].toFixed(2)}×`, delta(current[c] ?? null, earlier[c] ?? null, true, (v) => v.toFixed(2)))
        : card(`${name} (${c})`, definition, money(current[c] ?? 0, c), delta(current[c] ?? 0, earlier[c] ?? 0, true, (v) => money(v, c))),
    );
  });
  const reasonsBox = el('div', { class: 'chart small', role: 'img', 'aria-label': 'Disqualification and loss reasons' });
  const revenueBox = el('div', { class: 'chart small', role: 'img', 'aria-label': 'Won revenue by capture month' });
  body.replaceChildren(
    el('p', { class: 'muted' }, `Leads captured ${from.toISOString().slice(0, 10)} to ${to.toISOString().slice(0, 10)} (before), against the ${days} days before. Hover or focus a card for its definition.`),
    el('div', { class: 'cards' }, cards, moneyCards),
    el('div', { class: 'grid' }, el('section', { class: 'card' }, el('h3', {}, 'Why leads were disqualified and deals lost'), reasonsBox), el('section', { class: 'card' }, el('h3', {}, 'Won revenue by capture month'), revenueBox)),
  );
  const reasons = [...new Set([...Object.keys(k.disqualificationReasons), ...Object.keys(k.lossReasons)])];
  chart(reasonsBox, {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 10, right: 20, top: 30, bottom: 10, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: reasons },
    series: [
      { type: 'bar', name: 'disqualified', data: reasons.map((r) => k.disqualificationReasons[r] ?? 0) },
      { type: 'bar', name: 'lost', data: reasons.map((r) => k.lossReasons[r] ?? 0) },
    ],
  });
  await revenueByMonth(revenueBox, from, to, cohort);
}

/** One KPI query per capture month of the period: won revenue of the leads captured that month. */
async function revenueByMonth(box, from, to, cohort) {
  const months = [];
  for (let d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1)); d < to; d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))) months.push(d);
  const answers = await Promise.all(
    months.map((m, i) => get('/v1/kpis', { ...cohort, from: m.toISOString(), to: (months[i + 1] ?? new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1))).toISOString() })),
  );
  const currencies = [...new Set(answers.flatMap((a) => Object.keys(a.overall.wonRevenue)))];
  chart(box, {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 10, right: 20, top: 30, bottom: 10, containLabel: true },
    xAxis: { type: 'category', data: months.map((m) => m.toISOString().slice(0, 7)) },
    yAxis: { type: 'value' },
    series: currencies.map((c) => ({ type: 'bar', stack: 'won', name: c, data: answers.map((a) => a.overall.wonRevenue[c] ?? 0) })),
  });
}

function card(name, definition, value, change) {
  return el(
    'div',
    { class: 'kpi', tabindex: 0, title: definition, dataset: { testid: 'kpi', name } },
    el('div', { class: 'name' }, name),
    el('div', { class: 'value' }, value),
    change,
    el('div', { class: 'definition', role: 'tooltip' }, definition),
  );
}

function delta(current, previous, higherIsBetter, format) {
  if (current === null || previous === null || current === undefined || previous === undefined) return el('div', { class: 'delta muted' }, 'no previous value');
  const diff = current - previous;
  if (diff === 0) return el('div', { class: 'delta muted' }, 'unchanged vs previous period');
  const good = diff > 0 === higherIsBetter;
  return el('div', { class: `delta ${good ? 'up' : 'down'}` }, `${diff > 0 ? '▲' : '▼'} ${format(Math.abs(diff))} vs previous period`);
}
