// Live: the tenant's new events as the store appends them (server-sent events read with fetch, so the
// bearer header is sent) and the lag of every processor (GET /v1/projections), refreshed every 2 s.
import { ApiError, get, stream } from '../api.js';
import { chart } from '../charts.js';
import { el, number, when } from '../format.js';

const KEEP = 200;
const LAG_EVERY_MS = 2000;
const LAG_POINTS = 60;

export async function render(container, { explain }) {
  // The lag first: it needs the same permission as the stream, so a refused role is told before anything else.
  const first = await get('/v1/projections');
  const status = el('p', { class: 'muted', dataset: { testid: 'live-status' } }, 'Connecting…');
  const list = el('ul', { class: 'live', 'aria-label': 'New events, newest first', dataset: { testid: 'live-events' } });
  const lagTable = el('div', { class: 'table-wrap' });
  const lagBox = el('div', { class: 'chart small', role: 'img', 'aria-label': 'Events behind, per processor' });
  container.replaceChildren(
    el('h2', {}, 'Live'),
    el('div', { class: 'grid' }, el('section', { class: 'card' }, el('h3', {}, 'New events'), status, list), el('section', { class: 'card' }, el('h3', {}, 'Projection lag'), lagBox, lagTable)),
  );
  const lagChart = chart(lagBox, {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 40, right: 16, top: 40, bottom: 30, containLabel: true },
    xAxis: { type: 'time', min: 'dataMin', max: 'dataMax' },
    yAxis: { type: 'value', name: 'events behind', minInterval: 1 },
    series: [],
  });
  const history = new Map();
  const showLag = (answer) => {
    const now = Date.now();
    for (const p of answer.processors) {
      const points = history.get(p.name) ?? [];
      points.push([now, p.eventsBehind]);
      history.set(p.name, points.slice(-LAG_POINTS));
    }
    lagChart.setOption({ series: [...history].map(([name, data]) => ({ type: 'line', name, data, showSymbol: false })) });
    lagTable.replaceChildren(
      el(
        'table',
        { 'aria-label': 'Processors' },
        el('thead', {}, el('tr', {}, el('th', {}, 'processor'), el('th', {}, 'state'), el('th', { class: 'num' }, 'events behind'), el('th', { class: 'num' }, 'seconds behind'), el('th', { class: 'num hide-narrow' }, 'position'))),
        el(
          'tbody',
          {},
          answer.processors.map((p) =>
            el('tr', {}, el('td', {}, p.name), el('td', {}, p.state), el('td', { class: 'num' }, `${number(p.eventsBehind)}${p.eventsBehindCapped ? '+' : ''}`), el('td', { class: 'num' }, number(p.secondsBehind)), el('td', { class: 'num hide-narrow' }, `${p.position} / ${p.headPosition}`)),
          ),
        ),
      ),
    );
  };
  showLag(first);
  const timer = setInterval(() => void get('/v1/projections').then(showLag, () => undefined), LAG_EVERY_MS);
  const abort = new AbortController();
  let received = 0;
  const onMessage = (type, data) => {
    if (type === 'ready') status.textContent = 'Connected: new events appear here as they are stored.';
    if (type !== 'event') return;
    received++;
    status.textContent = `Connected: ${received} new event(s) since this page opened.`;
    list.prepend(
      el(
        'li',
        { dataset: { testid: 'live-event', type: data.type } },
        el('span', { class: 'event-type' }, data.type),
        ' ',
        data.leadId ? el('a', { href: `#/lead/${data.leadId}` }, data.leadId.slice(0, 8)) : data.streamId,
        el('div', { class: 'meta' }, `${when(data.recordedAt)} · position ${data.position} · by ${data.actorName ?? data.actor} · caused by ${data.causationId}`),
      ),
    );
    while (list.children.length > KEEP) list.lastElementChild.remove();
  };
  stream('/v1/dashboard/events', onMessage, abort.signal).then(
    () => (status.textContent = 'The stream ended; reload the page to reconnect.'),
    (error) => {
      if (abort.signal.aborted) return;
      if (error instanceof ApiError) explain(error);
      else status.textContent = `The stream was interrupted (${error.message}); reload the page to reconnect.`;
    },
  );
  return () => {
    clearInterval(timer);
    abort.abort();
  };
}
