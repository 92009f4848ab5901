/**
 * The LIMIT: what plain better-sqlite3 does with the same event rows and the same durability (WAL,
 * synchronous=FULL), with nothing of the engine around it: appends one transaction per event, per
 * append, per 8 and per 64 appends, and in bulk; a read-and-parse of every row; one lead's rows.
 */
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type LatencySummary, nowMs, Samples } from './lib/stats';
import { type EventRow, RAW_SCHEMA, readAppends, type RowAppend } from './lib/rows';
import { leadStreamId, opportunityStreamId } from '@lead-lifecycle/domain';

export interface LimitOptions {
  /** The engine's events.sqlite after seeding: the rows to copy. */
  readonly engineFile: string;
  /** Rows 1..upTo. */
  readonly upTo: number;
  readonly workDir: string;
  /** Time budget of each timed append mode. */
  readonly segmentMs: number;
  /** Events kept back for the timed modes (the rest is bulk-loaded first, so they append to a full table). */
  readonly tailEvents: number;
  readonly sampleLeads: readonly string[];
  readonly readRepeats: number;
}

export interface TimedAppends {
  readonly appends: number;
  readonly events: number;
  readonly transactions: number;
  readonly seconds: number;
  /** Duration of each transaction: the least a caller whose append is in it waits. */
  readonly latency: LatencySummary;
}

export interface LimitResult {
  readonly bulk: { readonly events: number; readonly seconds: number };
  readonly perEvent: TimedAppends;
  readonly perAppend: TimedAppends;
  readonly per8Appends: TimedAppends;
  readonly per64Appends: TimedAppends;
  readonly readAll: { readonly rows: number; readonly seconds: number };
  readonly history: LatencySummary;
  readonly state: LatencySummary;
  readonly historyEvents: number;
}

export function runLimit(options: LimitOptions, log: (line: string) => void): LimitResult {
  const file = join(options.workDir, 'limit.sqlite');
  rmSync(file, { force: true });
  rmSync(`${file}-wal`, { force: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(RAW_SCHEMA);
  const insert = db.prepare(
    'INSERT INTO events (event_id, stream_id, stream_revision, type, schema_version, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const write = db.transaction((rows: readonly EventRow[]) => {
    for (const r of rows) insert.run(r.event_id, r.stream_id, r.stream_revision, r.type, r.schema_version, r.data, r.metadata);
  });

  let bulkEvents = 0;
  let bulkMs = 0;
  const bulk = (appends: readonly RowAppend[]) => {
    const rows = appends.flatMap((a) => a.rows);
    for (let i = 0; i < rows.length; i += 1000) {
      const t0 = nowMs();
      write(rows.slice(i, i + 1000));
      bulkMs += nowMs() - t0;
    }
    bulkEvents += rows.length;
  };

  const headEnd = options.upTo - options.tailEvents;
  const tail: RowAppend[] = [];
  for (const chunk of readAppends(options.engineFile, options.upTo)) {
    const head: RowAppend[] = [];
    for (const append of chunk) {
      if (tail.length === 0 && append.rows[append.rows.length - 1].position <= headEnd) head.push(append);
      else tail.push(append);
    }
    bulk(head);
  }
  log(`limit: bulk-loaded ${bulkEvents} rows; ${tail.length} appends kept for the timed modes`);

  let next = 0;
  const maxPerMode = Math.max(1, Math.floor(tail.length / 4));
  const timed = (appendsPerTransaction: number, perEvent = false): TimedAppends => {
    const latency = new Samples();
    let appends = 0;
    let events = 0;
    let transactions = 0;
    const started = nowMs();
    while (next < tail.length && appends < maxPerMode && nowMs() - started < options.segmentMs) {
      if (perEvent) {
        const append = tail[next++];
        for (const row of append.rows) {
          const t0 = nowMs();
          write([row]);
          latency.add(nowMs() - t0);
          transactions++;
        }
        appends++;
        events += append.rows.length;
        continue;
      }
      const group = tail.slice(next, next + appendsPerTransaction);
      next += group.length;
      const rows = group.flatMap((a) => a.rows);
      const t0 = nowMs();
      write(rows);
      latency.add(nowMs() - t0);
      transactions++;
      appends += group.length;
      events += rows.length;
    }
    return { appends, events, transactions, seconds: (nowMs() - started) / 1000, latency: latency.summary() };
  };
  const perEvent = timed(1, true);
  const perAppend = timed(1);
  const per8Appends = timed(8);
  const per64Appends = timed(64);
  bulk(tail.slice(next));

  // Read and parse every row in pages, as a catch-up reader does.
  const page = db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT 5000');
  let after = 0;
  let rows = 0;
  let checksum = 0;
  const readStarted = nowMs();
  for (;;) {
    const batch = page.all(after) as EventRow[];
    if (batch.length === 0) break;
    for (const row of batch) {
      const data = JSON.parse(row.data);
      const metadata = JSON.parse(row.metadata);
      checksum += (data ? 1 : 0) + (metadata ? 1 : 0);
    }
    rows += batch.length;
    after = batch[batch.length - 1].position;
  }
  const readAll = { rows, seconds: (nowMs() - readStarted) / 1000 };
  if (checksum < rows) throw new Error('read-and-parse lost rows');

  // One lead: its rows (and its opportunities' rows) read and parsed.
  const byStream = db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY stream_revision');
  const parse = (row: EventRow) => ({ ...row, data: JSON.parse(row.data), metadata: JSON.parse(row.metadata) });
  const readHistory = (leadId: string) => {
    const own = (byStream.all(leadStreamId(leadId)) as EventRow[]).map(parse);
    const opportunities = own.filter((e) => e.type === 'OpportunityOpenedForLead').map((e) => String(e.data.opportunityId));
    const theirs = opportunities.flatMap((id) => (byStream.all(opportunityStreamId(id)) as EventRow[]).map(parse));
    return [...own, ...theirs].sort((a, b) => a.position - b.position);
  };
  const history = new Samples();
  const state = new Samples();
  let historyEvents = 0;
  for (const id of options.sampleLeads.slice(0, 50)) readHistory(id);
  for (let r = 0; r < options.readRepeats; r++) {
    for (const id of options.sampleLeads) {
      let t0 = nowMs();
      historyEvents += readHistory(id).length;
      history.add(nowMs() - t0);
      t0 = nowMs();
      (byStream.all(leadStreamId(id)) as EventRow[]).map(parse);
      state.add(nowMs() - t0);
    }
  }
  db.close();
  rmSync(file, { force: true });
  rmSync(`${file}-wal`, { force: true });
  rmSync(`${file}-shm`, { force: true });
  return {
    bulk: { events: bulkEvents, seconds: bulkMs / 1000 },
    perEvent,
    perAppend,
    per8Appends,
    per64Appends,
    readAll,
    history: history.summary(),
    state: state.summary(),
    historyEvents: historyEvents / Math.max(1, history.count),
  };
}
