/**
 * The PEER on PostgreSQL: Emmett's PostgreSQL event store (@event-driven-io/emmett-postgresql, on node-postgres
 * with its own pool), run as a child process of the benchmark from this folder, whose node_modules hold
 * Emmett 0.42 (the root has 0.38.5 for emmett-sqlite). The same rows as the SQLite peer: the history
 * before the tail through its appendToStream with expected versions, the tail's appends timed with 1, 8
 * and 64 concurrent callers, then readStream and aggregateStream (the engine's evolveLead) for one lead.
 *
 * Each run creates a fresh database (bench_emmett_<pid>) on the server named by BENCH_POSTGRES_URL
 * (default postgres://postgres@127.0.0.1:5432/test) and drops it at the end.
 */
import { getPostgreSQLEventStore, type PostgresEventStore } from '@event-driven-io/emmett-postgresql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { evolveLead, initialLeadState, type LeadEvent, type LeadState } from '@lead-lifecycle/domain';
import { serve } from '../../lib/ipc';
import { readAppends, type RowAppend } from '../../lib/rows';
import { nowMs, Samples } from '../../lib/stats';
import type { PeerAppends, PeerOptions } from '../../peer-emmett';
import type { PostgresPeerResult } from '../../peer-emmett-postgresql';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';
/** Appends in flight while loading (each stream's appends stay in order). */
const LOAD_CONCURRENCY = 32;

const messagesOf = (append: RowAppend) => append.rows.map((row) => ({ type: row.type, data: JSON.parse(row.data), metadata: JSON.parse(row.metadata) }));
const expectedOf = (append: RowAppend) => BigInt(append.rows[0].stream_revision);

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Appends in history order with up to `concurrency` in flight; a stream's next append waits for its previous one. */
async function pipelined(appends: readonly RowAppend[], concurrency: number, append: (a: RowAppend) => Promise<unknown>): Promise<void> {
  const tails = new Map<string, Promise<unknown>>();
  const inFlight = new Set<Promise<unknown>>();
  for (const a of appends) {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    const previous = tails.get(a.streamId) ?? Promise.resolve();
    const mine: Promise<unknown> = previous.then(() => append(a));
    tails.set(a.streamId, mine);
    const tracked = mine.finally(() => {
      inFlight.delete(tracked);
      if (tails.get(a.streamId) === mine) tails.delete(a.streamId);
    });
    inFlight.add(tracked);
  }
  await Promise.all(inFlight);
}

async function run(options: PeerOptions): Promise<PostgresPeerResult> {
  const url = process.env.BENCH_POSTGRES_URL || DEFAULT_URL;
  const database = `bench_emmett_${process.pid}`;
  const admin = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
  } catch (error) {
    return { available: false, reason: `PostgreSQL at ${url} does not answer (${(error as Error).message}); set BENCH_POSTGRES_URL` };
  }
  let store: PostgresEventStore | undefined;
  try {
    const server = String((await admin.query('SHOW server_version')).rows[0].server_version);
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    store = getPostgreSQLEventStore(withDatabase(url, database));
    const check = new Client({ connectionString: withDatabase(url, database) });
    await check.connect();
    const synchronousCommit = String((await check.query('SHOW synchronous_commit')).rows[0].synchronous_commit);
    await check.end();
    const target = store;

    // The history before the tail, through its appendToStream with expected versions.
    const headEnd = options.upTo - options.tailEvents;
    const tail: RowAppend[] = [];
    let loadEvents = 0;
    let loadAppends = 0;
    let loadMs = 0;
    for (const chunk of readAppends(options.engineFile, options.upTo)) {
      const head: RowAppend[] = [];
      for (const append of chunk) {
        if (tail.length === 0 && append.rows[append.rows.length - 1].position <= headEnd) head.push(append);
        else tail.push(append);
      }
      const t0 = nowMs();
      await pipelined(head, LOAD_CONCURRENCY, (a) => target.appendToStream(a.streamId, messagesOf(a), { expectedStreamVersion: expectedOf(a) }));
      loadMs += nowMs() - t0;
      loadAppends += head.length;
      loadEvents += head.reduce((n, a) => n + a.rows.length, 0);
    }
    process.stderr.write(`[bench] emmett-postgresql: loaded ${loadEvents} events in ${(loadMs / 1000).toFixed(1)} s; ${tail.length} appends kept for the timed modes\n`);

    // Timed appends: one caller with expected versions on the history; 8 and 64 concurrent callers on one
    // store object (its pool serves them) without expected versions, on streams of their own (scratch-…),
    // since their interleaving is not the history's order.
    const maxPerMode = Math.max(1, Math.floor(tail.length / 4));
    let next = 0;
    const appends: PeerAppends[] = [];
    for (const callers of [1, 8, 64]) {
      const concurrent = callers > 1;
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
              if (concurrent) await target.appendToStream(`scratch${callers}-${append.streamId}`, messagesOf(append));
              else await target.appendToStream(append.streamId, messagesOf(append), { expectedStreamVersion: expectedOf(append) });
              latency.add(nowMs() - t0);
              done++;
              events += append.rows.length;
            } catch (error) {
              const code = (error as { code?: string }).code ?? (error as Error).constructor?.name ?? 'Error';
              errors[code] = (errors[code] ?? 0) + 1;
              if (!concurrent) throw error;
            }
          }
        }),
      );
      appends.push({ callers, appends: done, events, seconds: (nowMs() - started) / 1000, latency: latency.summary(), errors });
      if (!concurrent) next = cursor;
    }
    await pipelined(tail.slice(next), LOAD_CONCURRENCY, (a) => target.appendToStream(a.streamId, messagesOf(a), { expectedStreamVersion: expectedOf(a) }));
    process.stderr.write('[bench] emmett-postgresql: rest of the history loaded; reading\n');

    // One lead: its stream and its opportunities' streams, and its state folded with evolveLead.
    const readHistory = async (leadId: string) => {
      const own = await target.readStream(`lead-${leadId}`);
      const opportunities = own.events
        .filter((e) => e.type === 'OpportunityOpenedForLead')
        .map((e) => String((e.data as Record<string, unknown>).opportunityId));
      const theirs = await Promise.all(opportunities.map((id) => target.readStream(`opportunity-${id}`)));
      return [...own.events, ...theirs.flatMap((t) => t.events)].sort((a, b) => Number(a.metadata.globalPosition - b.metadata.globalPosition));
    };
    const readState = (leadId: string) =>
      target.aggregateStream<LeadState, { type: string; data: Record<string, unknown> }>(`lead-${leadId}`, {
        evolve: (state: LeadState, event: { type: string; data: Record<string, unknown> }) => evolveLead(state, { type: event.type, data: event.data } as LeadEvent),
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
      version: packageVersion('@event-driven-io/emmett-postgresql'),
      server,
      synchronousCommit,
      poolSize: 10,
      load: { events: loadEvents, appends: loadAppends, seconds: loadMs / 1000, concurrency: LOAD_CONCURRENCY },
      appends,
      history: history.summary(),
      state: state.summary(),
    };
  } catch (error) {
    return { available: false, reason: `Emmett on PostgreSQL failed here: ${(error as Error).message.split('\n')[0]}` };
  } finally {
    await store?.close().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}

function packageVersion(name: string): string {
  const file = join(__dirname, 'node_modules', ...name.split('/'), 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

// Dropping the run's database at the end terminates the pool's idle connections (57P01): node-postgres
// reports that as an 'error' event of the pool, expected here; anything else still ends the process.
process.on('uncaughtException', (error: unknown) => {
  if ((error as { code?: string })?.code === '57P01') return;
  process.stderr.write(`[bench] emmett-postgresql FAILED: ${(error as Error)?.stack ?? error}\n`);
  process.exit(1);
});

serve({
  run: async (options: PeerOptions) => {
    const result = await run(options);
    setTimeout(() => process.exit(0), 10);
    return result;
  },
});
