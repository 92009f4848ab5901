/**
 * The PEER: the same appends and stream reads through Emmett's SQLite event store
 * (@event-driven-io/emmett-sqlite, on node-sqlite3), in the same run and on the same rows.
 *
 * Most of the history is loaded through Emmett's own append function (the one its store calls), many
 * appends per transaction; then timed appends go through its public event store API (getSQLiteEventStore)
 * with 1, 8 and 64 concurrent callers (queued one at a time: see runPeer); then the rest is loaded and
 * one lead's stream is read.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decodeLeadEvent, evolveLead, initialLeadState, type LeadState, leadStreamId, opportunityStreamId, schemaVersionOf } from '@lead-lifecycle/domain';
import { type LatencySummary, nowMs, Samples } from './lib/stats';
import { readAppends, type RowAppend } from './lib/rows';

export interface PeerOptions {
  readonly engineFile: string;
  readonly upTo: number;
  readonly workDir: string;
  readonly segmentMs: number;
  readonly tailEvents: number;
  readonly sampleLeads: readonly string[];
  readonly readRepeats: number;
}

export interface PeerAppends {
  readonly callers: number;
  readonly appends: number;
  readonly events: number;
  readonly seconds: number;
  readonly latency: LatencySummary;
  /** Failed appends by error code. */
  readonly errors: Record<string, number>;
}

export type PeerResult =
  | {
      readonly available: true;
      readonly version: string;
      readonly synchronous: string;
      readonly journalMode: string;
      readonly bulk: { readonly events: number; readonly seconds: number };
      readonly appends: PeerAppends[];
      readonly history: LatencySummary;
      readonly state: LatencySummary;
    }
  | { readonly available: false; readonly reason: string };

type EmmettModule = typeof import('@event-driven-io/emmett-sqlite');

/** Writes appends in the layout Emmett 0.38's appendToStream writes (rows and stream positions alike). */
class DirectLoader {
  private readonly db: Database.Database;
  private readonly tx: (appends: readonly RowAppend[]) => void;

  constructor(file: string, streamType: (streamId: string) => string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    const insert = this.db.prepare(
      `INSERT INTO emt_messages (stream_id, stream_position, partition, message_kind, message_data, message_metadata,
         message_schema_version, message_type, message_id, is_archived) VALUES (?, ?, 'emt:default', 'E', ?, ?, ?, ?, ?, 0)`,
    );
    // Emmett 0.38 binds its partition option object here, which SQLite stores as '[object Object]'.
    const upsert = this.db.prepare(
      `INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata, is_archived)
       VALUES (?, ?, '[object Object]', ?, '[]', 0)
       ON CONFLICT (stream_id, partition, is_archived) DO UPDATE SET stream_position = excluded.stream_position`,
    );
    this.tx = this.db.transaction((appends: readonly RowAppend[]) => {
      for (const a of appends) {
        const before = a.rows[0].stream_revision;
        a.rows.forEach((row, i) => {
          const id = randomUUID();
          const metadata = JSON.stringify({ streamName: a.streamId, messageId: id, streamPosition: String(i + 1), ...JSON.parse(row.metadata) });
          insert.run(a.streamId, row.stream_revision + 1, row.data, metadata, String(before), row.type, id);
        });
        upsert.run(a.streamId, before + a.rows.length, streamType(a.streamId));
      }
    });
  }

  write(appends: readonly RowAppend[]): void {
    for (let i = 0; i < appends.length; i += 1000) this.tx(appends.slice(i, i + 1000));
  }

  close(): void {
    this.db.close();
  }
}

/** The installed version of a package whose package.json is not exported. */
function packageVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  while (dir !== dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? 'unknown';
    } catch {
      // not here
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

export async function runPeer(options: PeerOptions, log: (line: string) => void): Promise<PeerResult> {
  let emmett: EmmettModule;
  let version: string;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional dev dependency: loaded only when the peer comparison runs, and its absence is reported
    emmett = require('@event-driven-io/emmett-sqlite');
    version = packageVersion('@event-driven-io/emmett-sqlite');
  } catch (error) {
    return { available: false, reason: `@event-driven-io/emmett-sqlite cannot be loaded: ${(error as Error).message.split('\n')[0]}` };
  }
  const file = join(options.workDir, 'emmett.sqlite');
  const clean = () => ['', '-wal', '-shm'].forEach((s) => rmSync(`${file}${s}`, { force: true }));
  clean();
  // Emmett logs every failed transaction with console.log; keep the report readable.
  const consoleLog = console.log;
  // A node-sqlite3 'error' event nobody listens to (a statement of a connection Emmett closed) would end
  // the benchmark; count such late errors instead.
  let lateErrors = 0;
  process.on('uncaughtException', (error: unknown) => {
    if (/^SQLITE_/.test((error as { code?: string })?.code ?? '')) {
      lateErrors++;
      return;
    }
    process.stderr.write(`[bench] FAILED: ${(error as Error)?.stack ?? error}\n`);
    process.exit(1);
  });
  try {
    const connection = emmett.sqliteConnection({ fileName: file });
    await emmett.createEventStoreSchema(connection);
    const synchronous = String((await connection.querySingle<{ synchronous: number }>('PRAGMA synchronous'))?.synchronous);
    const journalMode = String((await connection.querySingle<{ journal_mode: string }>('PRAGMA journal_mode'))?.journal_mode);

    const messagesOf = (append: RowAppend) =>
      append.rows.map((row) => ({ type: row.type, data: JSON.parse(row.data), metadata: JSON.parse(row.metadata) }));
    const streamType = (streamId: string) => {
      const [first, ...rest] = streamId.split('-');
      return first && rest.length > 0 ? first : 'emt:unknown';
    };
    const expectedOf = (append: RowAppend) => (append.rows[0].stream_revision === 0 ? undefined : BigInt(append.rows[0].stream_revision));

    // Emmett's own append path (the function its store calls), 500 appends per transaction, on the first
    // OWN_PATH_EVENTS events: that is the "load" figure. The rest of the history is written in the same
    // layout with better-sqlite3 (it would take minutes through node-sqlite3 and measures nothing new).
    const OWN_PATH_EVENTS = 30_000;
    let bulkEvents = 0;
    let bulkMs = 0;
    let direct: DirectLoader | undefined;
    const load = async (appends: readonly RowAppend[]) => {
      let i = 0;
      while (i < appends.length && !direct && bulkEvents < OWN_PATH_EVENTS) {
        const slice = appends.slice(i, i + 500).map((a) => ({ a, messages: messagesOf(a) }));
        i += slice.length;
        const t0 = nowMs();
        await connection.withTransaction(async () => {
          for (const { a, messages } of slice) {
            const result = await emmett.appendToStream(connection, a.streamId, streamType(a.streamId), messages, {
              expectedStreamVersion: expectedOf(a),
            });
            if (!result.success) throw new Error(`emmett refused the append to ${a.streamId}`);
          }
        });
        bulkMs += nowMs() - t0;
        bulkEvents += slice.reduce((n, x) => n + x.a.rows.length, 0);
      }
      if (i < appends.length) {
        if (!direct) {
          connection.close();
          direct = new DirectLoader(file, streamType);
        }
        direct.write(appends.slice(i));
      }
    };

    const headEnd = options.upTo - options.tailEvents;
    const tail: RowAppend[] = [];
    for (const chunk of readAppends(options.engineFile, options.upTo)) {
      const head: RowAppend[] = [];
      for (const append of chunk) {
        if (tail.length === 0 && append.rows[append.rows.length - 1].position <= headEnd) head.push(append);
        else tail.push(append);
      }
      await load(head);
    }
    if (direct) direct.close();
    else connection.close();
    log(`emmett: loaded ${bulkEvents} rows through its appendToStream, the rest of the history directly; ${tail.length} appends kept for the timed modes`);

    // Timed appends through the public event store API, on the loaded history with expected versions.
    // Emmett 0.38.5 takes one call at a time, whatever the wiring (see bench/README.md, "Peer on SQLite"):
    // - one store object keeps ONE connection variable for all its calls, opened by a call that finds it
    //   null and closed (and nulled) when that call ends, so a second call in flight finds its connection
    //   closed under it (SQLITE_MISUSE) and shares its transaction-nesting counter (SQLITE_ERROR);
    // - a store object per caller (a connection each, as separate processes) fails on the file lock: its
    //   BEGIN IMMEDIATE gets SQLITE_BUSY, and its rollback of that never-begun transaction then throws
    //   "cannot rollback - no transaction is active" (SQLITE_ERROR), which is what the caller sees.
    // It has no option for a shared or pooled connection (its fix, a single-writer pool, came in 0.42,
    // which this registry cannot install). So 8 and 64 callers share one store object and their calls
    // are queued one after another (FIFO, in the history's order, so expected versions hold): its
    // throughput is the single caller's, and each caller's latency includes its wait in the queue.
    const store = emmett.getSQLiteEventStore({ fileName: file });
    let next = 0;
    const maxPerMode = Math.max(1, Math.floor(tail.length / 4));
    const appends: PeerAppends[] = [];
    let queue: Promise<unknown> = Promise.resolve();
    const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
      const mine = queue.then(work, work);
      queue = mine.catch(() => undefined);
      return mine;
    };
    console.log = () => undefined;
    for (const callers of [1, 8, 64]) {
      let cursor = next;
      const latency = new Samples();
      const errors: Record<string, number> = {};
      let done = 0;
      let events = 0;
      const started = nowMs();
      await Promise.all(
        Array.from({ length: callers }, async () => {
          while (cursor < tail.length && done < maxPerMode && nowMs() - started < options.segmentMs) {
            const append = tail[cursor++];
            const t0 = nowMs();
            try {
              await oneAtATime(() => store.appendToStream(append.streamId, messagesOf(append) as never, { expectedStreamVersion: expectedOf(append) }));
              latency.add(nowMs() - t0);
              done++;
              events += append.rows.length;
            } catch (error) {
              const code = (error as { code?: string }).code ?? (error as Error).constructor?.name ?? 'Error';
              errors[code] = (errors[code] ?? 0) + 1;
            }
          }
        }),
      );
      const seconds = (nowMs() - started) / 1000;
      appends.push({ callers, appends: done, events, seconds, latency: latency.summary(), errors });
      next = cursor;
    }
    log(`emmett: timed appends done (${appends.map((a) => `${a.callers}: ${a.appends} in ${a.seconds.toFixed(1)} s`).join(', ')})`);
    const rest = new DirectLoader(file, streamType);
    rest.write(tail.slice(next));
    rest.close();
    log('emmett: rest of the history loaded; reading');

    // One lead: its stream and its opportunities' streams, and its state folded with evolveLead.
    const readHistory = async (leadId: string) => {
      const own = await store.readStream(leadStreamId(leadId));
      const opportunities = own.events
        .filter((e) => e.type === 'OpportunityOpenedForLead')
        .map((e) => String((e.data as Record<string, unknown>).opportunityId));
      const theirs = await Promise.all(opportunities.map((id) => store.readStream(opportunityStreamId(id))));
      return [...own.events, ...theirs.flatMap((t) => t.events)].sort((a, b) =>
        Number((a.metadata as { globalPosition: bigint }).globalPosition - (b.metadata as { globalPosition: bigint }).globalPosition),
      );
    };
    const readState = (leadId: string) =>
      store.aggregateStream<LeadState, never>(leadStreamId(leadId), {
        // Read as the engine reads its own (the domain's decoder); the workload wrote today's schema versions.
        evolve: (state: LeadState, event: { type: string; data: Record<string, unknown> }) =>
          evolveLead(state, decodeLeadEvent({ type: event.type, schemaVersion: schemaVersionOf(event.type), data: event.data })),
        initialState: () => initialLeadState,
      });
    for (const id of options.sampleLeads.slice(0, 20)) {
      await readHistory(id);
      await readState(id);
    }
    const history = new Samples();
    const state = new Samples();
    for (let r = 0; r < options.readRepeats; r++) {
      for (const id of options.sampleLeads) {
        let t0 = nowMs();
        await readHistory(id);
        history.add(nowMs() - t0);
        t0 = nowMs();
        await readState(id);
        state.add(nowMs() - t0);
      }
    }
    return {
      available: true,
      version,
      synchronous: synchronous === '2' ? 'FULL (2, default)' : synchronous,
      journalMode,
      bulk: { events: bulkEvents, seconds: bulkMs / 1000 },
      appends,
      history: history.summary(),
      state: state.summary(),
    };
  } catch (error) {
    return { available: false, reason: `Emmett SQLite failed here: ${(error as Error).message.split('\n')[0]}` };
  } finally {
    console.log = consoleLog;
    // The handler stays: a call of Emmett's store may still fail after this phase.
    if (lateErrors) log(`emmett: ${lateErrors} late node-sqlite3 errors ignored`);
    clean();
  }
}
