import type { RepositoryMetrics } from '@lead-lifecycle/lifecycle';
/** The one table, and the few lines around it that say what was measured and on what. */
import type { InprocRun, Results } from './run-bench';
import type { HttpRun } from './http-load';
import type { TimedAppends } from './limit';
import type { PeerAppends } from './peer-emmett';
import { fmtInt, fmtMB, fmtMs, fmtRatio, type LatencySummary } from './lib/stats';

const MB = 1024 * 1024;

const perSecond = (n: number, seconds: number) => (seconds > 0 ? n / seconds : NaN);
const rate = (x: number, unit = '/s') => `${fmtInt(x)}${unit}`;
const lat = (s: LatencySummary | undefined) => (s && s.count ? `p50 ${fmtMs(s.p50)} · p99 ${fmtMs(s.p99)}` : '–');
const met = (ok: boolean | undefined) => (ok === undefined ? '—' : ok ? '✅ met' : '❌ missed');
const errorsText = (errors: Record<string, number> | undefined) => {
  const entries = Object.entries(errors ?? {});
  return entries.length ? ` · failed: ${entries.map(([k, v]) => `${k} ×${fmtInt(v)}`).join(', ')}` : '';
};
const non2xx = (run: HttpRun) => {
  const bad = Object.entries(run.statuses).filter(([code]) => Number(code) >= 300);
  const extra = [...bad.map(([code, n]) => `${code} ×${fmtInt(n)}`), ...(run.errors ? [`socket errors ×${run.errors}`] : []), ...(run.timeouts ? [`timeouts ×${run.timeouts}`] : [])];
  return extra.length ? ` · not 2xx: ${extra.join(', ')}` : '';
};
const okCount = (run: HttpRun) =>
  Object.entries(run.statuses)
    .filter(([code]) => Number(code) < 300)
    .reduce((n, [, c]) => n + c, 0);

function limitAppends(t: TimedAppends, label: string): string {
  return `${rate(perSecond(t.events, t.seconds), ' ev/s')} (${rate(perSecond(t.appends, t.seconds), ' appends/s')}, ${label}) · commit ${lat(t.latency)}`;
}

export function renderReport(r: Results): string {
  const w = r.workload;
  const n = r.seed.head;
  const limit = r.limit && !('error' in r.limit) ? r.limit : undefined;
  const limitError = r.limit && 'error' in r.limit ? `limit failed: ${r.limit.error}` : undefined;
  const peer = r.peer?.available ? r.peer : undefined;
  const peerNone = r.peer && !r.peer.available ? `**not measured**: ${r.peer.reason}` : '–';
  const pg = r.peerPostgres?.available ? r.peerPostgres : undefined;
  const pgNone = r.peerPostgres && !r.peerPostgres.available ? `**NOT MEASURED**: ${r.peerPostgres.reason}` : '–';
  const peerAppends = (p: PeerAppends | undefined, none: string) =>
    p ? `${rate(perSecond(p.appends, p.seconds), ' appends/s')} (${rate(perSecond(p.events, p.seconds), ' ev/s')}) · ${lat(p.latency)}${errorsText(p.errors)}` : none;
  const api = r.api;
  const apiNone = r.apiError ? `**failed**: ${r.apiError.split('\n')[0]}` : '–';
  const rows: string[][] = [];
  const row = (...cells: string[]) => rows.push(cells);

  // 0. Loading the history
  const seedRate = perSecond(r.seed.events, r.seed.seconds);
  row(
    '0',
    `Load the generated history (${fmtInt(n)} events)`,
    `${rate(seedRate, ' ev/s')} (setup, not durable: SQLITE_DURABILITY=normal) through the engine's store with the generator: ${fmtInt(r.seed.appends)} appends with expected revisions, hash chain, encryption, ${fmtInt(r.seed.appends / Math.max(1, r.seed.groups))} appends per group commit`,
    limit ? `${rate(perSecond(limit.bulk.events, limit.bulk.seconds), ' ev/s')} (1,000 events per transaction, synchronous=FULL)` : (limitError ?? '–'),
    '– (not comparable)',
    peer ? `${rate(perSecond(peer.bulk.events, peer.bulk.seconds), ' ev/s')} (its appendToStream, 500 appends per transaction, first ${fmtInt(peer.bulk.events)} events)` : peerNone,
    pg
      ? `${rate(perSecond(pg.load.events, pg.load.seconds), ' ev/s')} (its event store's appendToStream with expected versions, ${pg.load.concurrency} in flight, ${fmtInt(pg.load.events)} events)`
      : pgNone,
    '—',
    '—',
  );

  // 1. Durable commands in process
  const limitFor = (callers: number): TimedAppends | undefined =>
    limit ? (callers === 1 ? limit.perAppend : callers === 8 ? limit.per8Appends : limit.per64Appends) : undefined;
  const inproc = api?.inproc ?? [];
  for (const [i, callers] of [1, 8, 64].entries()) {
    const run = inproc.find((x) => x.callers === callers && x.pick !== 'uniform');
    const l = limitFor(callers);
    const p = peer?.appends.find((a) => a.callers === callers);
    const engineEvents = run ? perSecond(run.store.sqlite.events, run.seconds) : NaN;
    const commands = run ? perSecond(run.completed, run.seconds) : NaN;
    const limitText = l
      ? limitAppends(l, callers === 1 ? 'one transaction per append' : `one transaction per ${callers} appends`) +
        (callers === 1 && limit ? `; one transaction per event: ${rate(perSecond(limit.perEvent.events, limit.perEvent.seconds), ' ev/s')}, commit ${lat(limit.perEvent.latency)}` : '')
      : (limitError ?? '–');
    const peerText = peerAppends(p, peerNone);
    const pgRun = pg?.appends.find((a) => a.callers === callers);
    const pgText = peerAppends(pgRun, pgNone);
    // Issue 13's targets: a share of the raw limit, and ahead of every peer measured (events per second).
    const ratio = run && l ? engineEvents / perSecond(l.events, l.seconds) : NaN;
    const peersBehind = [p, pgRun].every((x) => !x || perSecond(x.events, x.seconds) < engineEvents);
    const target = callers === 1 ? '≥ 0.5× limit, p99 ≤ 2 ms; ahead of the peers' : '≥ 0.5× limit; ahead of the peers';
    row(
      `1${'abc'[i]}`,
      `Durable commands in process (CommandBus, SQLITE_DURABILITY=full), ${callers} caller${callers > 1 ? 's' : ''}`,
      run
        ? `**${rate(commands, ' cmd/s')}** (${rate(engineEvents, ' ev/s')}) · ${lat(run.latency)}${errorsText(run.errors)}`
        : apiNone,
      limitText,
      run && l ? fmtRatio(ratio) : '–',
      peerText,
      pgText,
      callers === 8 ? 'ahead of the peers' : target,
      run && l ? met((callers === 8 || ratio >= 0.5) && (callers !== 1 || run.latency.p99 <= 2) && peersBehind) : '—',
    );
  }

  const uniform = inproc.find((x) => x.pick === 'uniform');
  if (uniform) {
    const l = limit?.per64Appends;
    const events = perSecond(uniform.store.sqlite.events, uniform.seconds);
    const commands = perSecond(uniform.completed, uniform.seconds);
    row(
      '1d',
      'The same, 64 callers, activities on leads picked uniformly (no preference for the long tail)',
      `**${rate(commands, ' cmd/s')}** (${rate(events, ' ev/s')}) · ${lat(uniform.latency)}${errorsText(uniform.errors)}`,
      l ? limitAppends(l, 'one transaction per 64 appends') : (limitError ?? '–'),
      l ? fmtRatio(events / perSecond(l.events, l.seconds)) : '–',
      '–',
      '–',
      '≥ 0.5× limit',
      met(!!l && events / perSecond(l.events, l.seconds) >= 0.5),
    );
  }

  // 2. HTTP
  if (api) {
    const f = api.httpFixed;
    row(
      '2a',
      `HTTP commands at a fixed rate (autocannon, 64 connections, ${fmtInt(f.targetRate ?? 0)}/s offered = half the peak)`,
      `${lat(f.latency)} · achieved ${rate(perSecond(okCount(f), f.seconds), ' cmd/s')}${non2xx(f)}`,
      limit ? `commit of one append: ${lat(limit.perAppend.latency)}` : (limitError ?? '–'),
      limit ? `${fmtRatio(f.latency.p99 / limit.perAppend.latency.p99)} (p99)` : '–',
      'n/a (no HTTP API)',
      'n/a (no HTTP API)',
      'p99 ≤ 20 ms',
      met(f.latency.p99 <= 20),
    );
    const p = api.httpPeak;
    const peakEvents = perSecond(p.events, p.seconds);
    const inproc64 = inproc.find((x) => x.callers === 64 && x.pick !== 'uniform');
    const inprocRate = inproc64 ? perSecond(inproc64.completed, inproc64.seconds) : NaN;
    row(
      '2b',
      'HTTP commands, peak rate (autocannon, 64 connections, as fast as answered)',
      `**${rate(p.rate, ' cmd/s')}** (${rate(peakEvents, ' ev/s')}) · ${lat(p.latency)}${non2xx(p)}`,
      limit ? limitAppends(limit.per64Appends, 'one transaction per 64 appends') : (limitError ?? '–'),
      limit ? fmtRatio(peakEvents / perSecond(limit.per64Appends.events, limit.per64Appends.seconds)) : '–',
      'n/a (no HTTP API)',
      'n/a (no HTTP API)',
      `≥ 0.5× in process at 64 callers (${inproc64 ? `here ${fmtRatio(p.rate / inprocRate)}` : 'not measured'})`,
      met(p.rate >= 0.5 * inprocRate),
    );
  } else {
    row('2', 'HTTP commands', apiNone, '–', '–', '–', '–', '≥ 0.5× in process', '—');
  }

  // 3. Rebuild
  const rebuild = r.rebuild && !('error' in r.rebuild) ? r.rebuild : undefined;
  const rawRead = limit ? perSecond(limit.readAll.rows, limit.readAll.seconds) : NaN;
  for (const name of ['funnel', 'scoring', 'kpi']) {
    const report = rebuild?.reports.find((x) => x.projection === name);
    const scanned = report ? perSecond(Number(rebuild!.head), report.seconds) : NaN;
    row(
      '3',
      `Projection rebuild: ${name} (rebuildProjection over all ${fmtInt(n)} events)`,
      report
        ? `**${rate(scanned, ' ev/s')}** (${fmtInt(Number(rebuild!.head))} events in ${report.seconds.toFixed(1)} s; the CLI prints ${rate(report.eventsPerSecond, ' ev/s')} for the ${fmtInt(report.events)} it applies)`
        : r.rebuild && 'error' in r.rebuild
          ? `**failed**: ${r.rebuild.error}`
          : '–',
      limit ? `read and parse every row: ${rate(rawRead, ' rows/s')}` : (limitError ?? '–'),
      report && limit ? fmtRatio(scanned / rawRead) : '–',
      'n/a (these read models exist only in the engine)',
      'n/a',
      '— (one pass below)',
      '—',
    );
  }

  const onePass = rebuild?.allInOnePass;
  const onePassRate = onePass ? perSecond(Number(rebuild.head), onePass.seconds) : NaN;
  row(
    '3',
    `Projection rebuild: all three in one pass (rebuildProjections, one read of all ${fmtInt(n)} events)`,
    onePass ? `**${rate(onePassRate, ' ev/s')}** (${onePass.seconds.toFixed(1)} s, ${fmtInt(onePass.reads)} reads of the log, ${fmtInt(onePass.events)} events applied in all)` : '–',
    limit ? `read and parse every row: ${rate(rawRead, ' rows/s')}` : (limitError ?? '–'),
    onePass && limit ? fmtRatio(onePassRate / rawRead) : '–',
    'n/a (these read models exist only in the engine)',
    'n/a',
    '≥ 0.8× the raw read and parse',
    onePass && limit ? met(onePassRate >= 0.8 * rawRead) : '—',
  );

  // 4. One lead
  const readsNote = api ? `, ${fmtInt(api.reads.eventsPerHistory)} events per history on average` : '';
  row(
    '4a',
    `One lead's history in process (QueryBus GetLeadHistoryQuery, ${fmtInt(r.profile.sampleLeads)} random leads${readsNote})`,
    api
      ? `${lat(api.reads.history)} (largest: ${fmtInt(api.reads.largest.events)} events in ${fmtMs(api.reads.largest.ms)})`
      : apiNone,
    limit ? `read and parse its rows: ${lat(limit.history)}` : (limitError ?? '–'),
    api && limit ? `${fmtRatio(api.reads.history.p99 / limit.history.p99)} (p99)` : '–',
    peer ? `readStream of the lead and its opportunities: ${lat(peer.history)}` : peerNone,
    pg ? `readStream of the lead and its opportunities: ${lat(pg.history)}` : pgNone,
    `p99 ≤ 2 ms${r.profile.name === '1m' ? '' : ' (at 1M events)'}`,
    api ? met(api.reads.history.p99 <= 2) : '—',
  );
  row(
    '4b',
    "One lead's state in process (QueryBus GetLeadQuery: fold of its stream)",
    api ? lat(api.reads.state) : apiNone,
    limit ? `read and parse its stream: ${lat(limit.state)}` : (limitError ?? '–'),
    api && limit ? `${fmtRatio(api.reads.state.p99 / limit.state.p99)} (p99)` : '–',
    peer ? `aggregateStream with the same evolveLead: ${lat(peer.state)}` : peerNone,
    pg ? `aggregateStream with the same evolveLead: ${lat(pg.state)}` : pgNone,
    '—',
    '—',
  );
  row(
    '4c',
    'One lead\'s history over HTTP (GET /v1/leads/:id/history, one connection)',
    api ? `${lat(api.httpHistory.latency)}${non2xx(api.httpHistory)}` : apiNone,
    limit ? `read and parse its rows: ${lat(limit.history)}` : (limitError ?? '–'),
    api && limit ? `${fmtRatio(api.httpHistory.latency.p99 / limit.history.p99)} (p99)` : '–',
    'n/a (no HTTP API)',
    'n/a (no HTTP API)',
    `p99 ≤ 5 ms${r.profile.name === '1m' ? '' : ' (at 1M events)'}`,
    api ? met(api.httpHistory.latency.p99 <= 5) : '—',
  );
  row(
    '4d',
    "One lead's state over HTTP (GET /v1/leads/:id)",
    api ? `${lat(api.httpState.latency)}${non2xx(api.httpState)}` : apiNone,
    limit ? `read and parse its stream: ${lat(limit.state)}` : (limitError ?? '–'),
    api && limit ? `${fmtRatio(api.httpState.latency.p99 / limit.state.p99)} (p99)` : '–',
    'n/a (no HTTP API)',
    'n/a (no HTTP API)',
    '—',
    '—',
  );

  // 5. Kafka
  const k = r.kafka;
  const noBroker = !k
    ? '–'
    : !k.broker.available
      ? `**NO KAFKA BROKER, NOT MEASURED**: ${k.broker.reason}`
      : k.error
        ? `**failed**: ${k.error}`
        : undefined;
  const relay = k?.relay;
  const relayRate = relay ? perSecond(relay.messages, relay.seconds) : NaN;
  const limitRate = k?.limit ? perSecond(k.limit.messages, k.limit.seconds) : NaN;
  row(
    '5a',
    'Kafka relay throughput (KafkaRelayProcessor in the API catching up the whole log: acks=-1, idempotent, 1,000 per request)',
    noBroker ??
      (relay
        ? `**${rate(relayRate, ' msg/s')}** (${fmtInt(relay.messages)} messages in ${relay.seconds.toFixed(1)} s after the first acknowledged batch; ${fmtInt(relay.total)} in all${relay.lastError ? `; last error: ${relay.lastError}` : ''})`
        : '–'),
    k?.limit ? `bare kafkajs producer, same messages and settings: ${rate(limitRate, ' msg/s')} (${fmtInt(k.limit.messages)} messages)` : (noBroker ?? '–'),
    relay && k?.limit ? fmtRatio(relayRate / limitRate) : '–',
    'n/a (no Kafka relay)',
    'n/a',
    '≥ 0.9× the bare producer',
    relay && k?.limit ? met(relayRate >= 0.9 * limitRate) : '—',
  );
  const l = k?.latency;
  row(
    '5b',
    `Command to Kafka consumer latency (HTTP at ${l ? fmtInt(l.rate) : 'half the peak'} cmd/s = half the peak with the relay running, in a fresh API process whose relay starts at the head; request sent → message consumed)`,
    noBroker ??
      (l
        ? `${lat(l.all)} over ${fmtInt(l.received)} commands (captures only: ${lat(l.captures)}; the HTTP answer alone: ${lat(l.load.latency)}; peak of this configuration ${rate(l.peak.rate, ' cmd/s')})${l.complete ? '' : ' · NOT ALL MESSAGES ARRIVED within 30 s'}${non2xx(l.load)}`
        : '–'),
    '—',
    '—',
    'n/a',
    'n/a',
    'p99 ≤ 100 ms',
    l ? met(l.all.p99 <= 100 && l.complete) : '—',
  );

  // 6. Memory
  const rss = [api?.peakRss, k?.peakRss].filter((x): x is number => typeof x === 'number' && x > 0);
  const peakRss = rss.length ? Math.max(...rss) : NaN;
  row(
    '6',
    'Peak RSS of the API process during the run',
    rss.length
      ? `**${fmtMB(peakRss)}** (commands, reads and HTTP: ${api ? fmtMB(api.peakRss) : '–'}; with the Kafka relay: ${k?.peakRss ? fmtMB(k.peakRss) : '–'})${rebuild ? `; rebuild process: ${fmtMB(rebuild.peakRss)}` : ''}`
      : apiNone,
    '—',
    '—',
    '—',
    '—',
    `≤ 500 MB${r.profile.name === '1m' ? '' : ' (at 1M events)'}`,
    rss.length ? met(peakRss <= 500 * MB) : '—',
  );

  const header = ['#', 'measure', 'engine', 'LIMIT: raw better-sqlite3, same rows, WAL + synchronous=FULL', 'engine ÷ limit', 'PEER: Emmett SQLite event store', 'PEER: Emmett PostgreSQL event store', 'target', ''];
  const table = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((cells) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
  ].join('\n');

  const pct = (x: number) => `${((100 * x) / Math.max(1, w.leads)).toFixed(1)} %`;
  const lines: string[] = [];
  lines.push(`## Lead Lifecycle benchmark — size ${r.profile.name} (${fmtInt(n)} events)`);
  lines.push('');
  lines.push(
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.ram} RAM · Node ${r.machine.node} · ${r.machine.os} · commit ${r.machine.commit} · ${r.startedAt} · took ${fmtInt(Object.values(r.phases).reduce((a, b) => a + b, 0))} s · load average ${r.load.start.toFixed(1)} at the start, ${r.load.end?.toFixed(1) ?? '?'} at the end (${r.machine.cores} cores; above ~0.3 other work was running)`,
  );
  lines.push('');
  lines.push(table);
  lines.push('');
  lines.push(
    `**Workload** (seed "${r.args.seed}"): ${fmtInt(w.leads)} leads over 240 days (${fmtInt(w.recaptures)} duplicate captures), ${fmtInt(w.events)} events in ${fmtInt(w.appends)} appends; ` +
      `${pct(w.reached.mql)} of leads became MQL, ${pct(w.reached.sql)} SQL, ${fmtInt(w.opportunities)} opportunities (${fmtInt(w.won)} won, ${fmtInt(w.lost)} lost), ` +
      `${fmtInt(w.reached.disqualified)} disqualified, ${fmtInt(w.reached.nurturing)} recycled; activities per lead p50 ${w.activitiesPerLead.p50}, p99 ${w.activitiesPerLead.p99}, max ${fmtInt(w.activitiesPerLead.max)}; ` +
      `events per lead stream p50 ${w.eventsPerLeadStream.p50}, p99 ${w.eventsPerLeadStream.p99}, max ${fmtInt(w.eventsPerLeadStream.max)}. ` +
      `Live commands: 20 % captures (5 % of them an email already known, so deduplicated) and 80 % activities on leads picked in proportion to their activity so far.`,
  );
  const leadCache = (m: RepositoryMetrics) => {
    const decided = m.cacheHits + m.loads;
    return decided
      ? `${((100 * m.cacheHits) / decided).toFixed(0)} % of lead commands decided on a cached state (${fmtInt(m.loads)} stream reads folding ${(m.eventsFolded / Math.max(1, m.loads)).toFixed(0)} events each on average, ${fmtInt(m.cachedStreams)} streams cached)`
      : 'no lead commands';
  };
  const probe = (run: InprocRun | undefined) => {
    if (!run) return '';
    const s = run.store.sqlite;
    const wall = run.seconds * 1000;
    return (
      `${run.callers} caller${run.callers > 1 ? 's' : ''}: ${s.meanAppendsPerCommit.toFixed(1)} appends (${s.meanEventsPerCommit.toFixed(1)} events) per group commit (at most ${fmtInt(s.maxAppendsPerCommit)}), ` +
      `${((100 * s.commitMs) / wall).toFixed(0)} % of the time in COMMIT (fsync${run.store.writer === 'thread' ? ', in the writer thread, off this loop' : ''}), ${((100 * (s.flushMs - s.commitMs)) / wall).toFixed(0)} % in the rest of the group commit, ` +
      `${run.store.keys ? `${((100 * run.store.keys.ms) / wall).toFixed(0)} % in the key store` : 'key store not timed (the engine built its own)'}, ` +
      `${run.store.processorsIn === 'worker' ? 'the live projections, relay and reaction in the worker thread (none on this loop)' : `${((100 * run.store.processorsMs) / wall).toFixed(0)} % in the live projections' and reaction's batches`}, ` +
      `${leadCache(run.store.leads)}, event loop busy ${(100 * run.eventLoopUtilization).toFixed(0)} %, ` +
      `${fmtInt(s.conflicts)} of ${fmtInt(s.appends)} appends refused for a concurrent change and retried${s.otherFailures + s.failedCommits ? ` (other refusals ${fmtInt(s.otherFailures)}, failed commits ${fmtInt(s.failedCommits)})` : ''}; ` +
      `capture ${lat(run.capture)}, activity ${lat(run.activity)}`
    );
  };
  if (api) lines.push(`**Where the time goes (in process)**: ${api.inproc.map((run) => `${probe(run)}${run.pick === 'uniform' ? ' (uniform pick)' : ''}`).join('. ')}.`);
  if (peer) {
    lines.push(
      `**Peer (SQLite)**: @event-driven-io/emmett-sqlite ${peer.version} on node-sqlite3 (journal ${peer.journalMode}, synchronous ${peer.synchronous}). It takes one call at a time: concurrent calls on one store object ` +
        "close each other's shared connection (SQLITE_MISUSE), and a store object per caller fails on the file lock (SQLITE_BUSY, reported as SQLITE_ERROR); so 8 and 64 callers share one store object " +
        "with their calls queued one after another (its throughput is one caller's, the latency includes the wait); every caller appends to the loaded history with expected versions; failures are counted, not retried.",
    );
  }
  if (pg) {
    lines.push(
      `**Peer (PostgreSQL)**: @event-driven-io/emmett-postgresql ${pg.version} on PostgreSQL ${pg.server} (synchronous_commit ${pg.synchronousCommit}, a fresh database per run), one store object with its pool of ${pg.poolSize} connections ` +
        'for every caller, in its own process; the single caller appends to the full history with expected versions, 8 and 64 concurrent callers append the same rows without expected versions to streams of their own.',
    );
  } else if (r.peerPostgres) {
    lines.push(`**Peer (PostgreSQL)**: NOT MEASURED: ${r.peerPostgres.available ? '' : r.peerPostgres.reason}.`);
  }
  if (api?.processors.some((p) => p.state === 'stopped' || p.lastError)) {
    lines.push(`**Processors**: ${api.processors.map((p) => `${p.name} ${p.state}${p.lastError ? ` (${p.lastError})` : ''}`).join(', ')}.`);
  }
  lines.push(
    `**How**: every figure is from this run on this machine. Latencies are per command or request (p50 and p99). The limit's timed appends write the last ${fmtInt(r.profile.tailMax)} events or fewer of the same rows after the rest was bulk-loaded; ` +
      'a limit commit latency is the time of one transaction, the least a caller in it waits. Engine ÷ limit compares events per second (latencies where marked p99). ' +
      `Phases: ${Object.entries(r.phases)
        .map(([k2, v]) => `${k2} ${v.toFixed(0)} s`)
        .join(', ')}.`,
  );
  return lines.join('\n');
}
