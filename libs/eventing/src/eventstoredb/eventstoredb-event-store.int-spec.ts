/**
 * The EventStoreDB adapter against the in-process EventStoreDB protocol test server, which can be
 * made to advertise BatchAppend, slow down, drop connections and restart. These tests prove the
 * adapter's guards against @eventstore/db-client 6.2.1 defects, its error mapping and its
 * subscriptions surviving connection drops. The adapter's behaviour against a real EventStoreDB is
 * covered by test/contract/eventstoredb-event-store.contract.int-spec.ts when one is available.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { EsdbProtocolServer } from '../../../../test/support/esdb/esdb-protocol-server';
import { comparePositions, type NewEvent, START_POSITION, type StoredEvent } from '../event-store.port';
import { EventStoreError, EventStoreErrorCode, StoreUnavailableError, WrongExpectedRevisionError } from '../event-store.errors';
import { EventStoreDbEventStore, type EventStoreDbEventStoreOptions } from './eventstoredb-event-store';
import type { ResumableSubscription } from './resumable-subscription';

jest.setTimeout(30_000);

console.warn(
  '\n*** EventStoreDbEventStore integration tests run against the in-process EventStoreDB PROTOCOL TEST SERVER, ' +
    'not a real EventStoreDB (they need its fault injection). The real server is exercised by the contract suite ' +
    'when EVENTSTORE_CONNECTION_STRING or Docker is available.\n',
);

function newEvents(count: number, type = 'LeadScored'): NewEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    eventId: randomUUID(),
    type,
    schemaVersion: 3,
    data: { index: i, score: 42 },
    metadata: {
      tenantId: 'tenant-a',
      occurredAt: '2026-01-02T03:04:05.000Z',
      actor: 'user:ada',
      correlationId: randomUUID(),
      causationId: randomUUID(),
      command: 'ScoreLead',
    },
  }));
}

const lead = () => `lead-${randomUUID()}`;
const rawEvent = () => jsonEvent({ type: 'Raw', data: { raw: true } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('EventStoreDbEventStore (protocol test server with BatchAppend advertised)', () => {
  let server: EsdbProtocolServer;
  let store: EventStoreDbEventStore;
  const warnings: string[] = [];
  const stores: EventStoreDbEventStore[] = [];

  const newStore = (options: EventStoreDbEventStoreOptions = {}) => {
    const s = new EventStoreDbEventStore(server.connectionString, {
      initialRetryDelayMs: 20,
      maxRetryDelayMs: 200,
      onWarning: (message) => warnings.push(message),
      ...options,
    });
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    server = await EsdbProtocolServer.start({ advertiseBatchAppend: true });
    store = newStore();
  });
  afterEach(() => {
    server.faults.abortBatchAppendCall = undefined;
    server.faults.appendResponseDelayMs = undefined;
    server.faults.batchAppendResponseDelayMs = undefined;
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await server?.stop();
  });

  describe('guards against the client defects', () => {
    it('keeps a conflict on one lead from failing concurrent appends to other leads, BatchAppend advertised', async () => {
      const leads = Array.from({ length: 60 }, lead);
      await Promise.all(leads.map((l) => store.appendToStream(l, newEvents(1), 'no_stream')));
      server.faults.appendResponseDelayMs = 25; // keep the appends in flight together
      const conflicting = new Set([3, 17, 41]);
      const results = await Promise.allSettled(
        leads.map((l, i) => store.appendToStream(l, newEvents(2), conflicting.has(i) ? 5n : 0n)),
      );
      results.forEach((result, i) => {
        if (conflicting.has(i)) {
          expect(result.status).toBe('rejected');
          expect((result as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
        } else {
          expect(result).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 2n } });
        }
      });
      expect(server.stats.batchAppendCalls).toBe(0); // the unary path was forced
      expect(server.stats.maxAppendCallsInFlight).toBeLessThanOrEqual(16);
    });

    it('demonstrates the raw client defect: a failed BatchAppend call of one client rejects another client’s appends and crashes the process', async () => {
      // Run in a child process: the defect ends in an unhandled rejection, which kills a plain Node
      // 20 process (and would fail whichever Jest test happens to be running).
      server.faults.batchAppendResponseDelayMs = 200;
      server.faults.abortBatchAppendCall = (streamId) => streamId.startsWith('poison-');
      const rawStreams = Array.from({ length: 5 }, lead);
      const child = await runNode(RAW_CLIENT_SCRIPT, { CONNECTION_STRING: server.connectionString, STREAMS: rawStreams.join(',') });
      const outcomes = JSON.parse(/OUTCOMES (.*)/.exec(child.stdout)?.[1] ?? 'null') as string[] | null;
      // Every in-flight append of client A failed because client B's BatchAppend call failed ...
      expect(outcomes).toEqual(rawStreams.map(() => 'UnavailableError'));
      // ... although the server wrote every one of them ...
      expect(rawStreams.every((s) => server.log.currentRevision(s) === 0n)).toBe(true);
      // ... and their late responses made the client's data handler throw, which ended the process.
      expect(child.code).not.toBe(0);
      expect(child.stderr).toMatch(/undefined is not iterable/);
    });

    it('keeps its appends out of that failure: they use unary Append calls and all land exactly once', async () => {
      const clientB = EventStoreDBClient.connectionString(server.connectionString);
      try {
        await clientB.appendToStream(lead(), rawEvent());
        server.faults.abortBatchAppendCall = (streamId) => streamId.startsWith('poison-');
        server.faults.appendResponseDelayMs = 200;
        const leads = Array.from({ length: 10 }, lead);
        const appends = leads.map((l) => store.appendToStream(l, newEvents(1), 'no_stream'));
        await sleep(50);
        await expect(clientB.appendToStream(`poison-${randomUUID()}`, rawEvent())).rejects.toBeDefined();
        const results = await Promise.allSettled(appends);
        expect(results.map((r) => r.status)).toEqual(leads.map(() => 'fulfilled'));
        for (const l of leads) expect(await store.readStream(l)).toHaveLength(1);
      } finally {
        await clientB.dispose();
      }
    });

    it('completes 300 concurrent appends on a fresh connection with a bounded number in flight', async () => {
      const fresh = newStore({ maxConcurrentAppends: 8 });
      server.stats.maxAppendCallsInFlight = 0;
      server.faults.appendResponseDelayMs = 2;
      const results = await Promise.all(Array.from({ length: 300 }, () => fresh.appendToStream(lead(), newEvents(1), 'no_stream')));
      expect(results).toHaveLength(300);
      expect(server.stats.maxAppendCallsInFlight).toBeLessThanOrEqual(8);
    });

    it('refuses a non-UUID event id with INVALID_EVENT without calling the client', async () => {
      const before = server.stats.appendCalls;
      const l = lead();
      const [event] = newEvents(1);
      const error = await store.appendToStream(l, [{ ...event, eventId: 'lead-42' }]).catch((e) => e);
      expect(error).toBeInstanceOf(EventStoreError);
      expect(error.code).toBe(EventStoreErrorCode.InvalidEvent);
      expect(error.message).toMatch(/not a UUID/);
      expect(server.stats.appendCalls).toBe(before);
      expect(await store.readStream(l)).toEqual([]);
    });

    it('refuses data that cannot be serialised to JSON instead of letting the client hang', async () => {
      const before = server.stats.appendCalls;
      const [event] = newEvents(1);
      const started = Date.now();
      const error = await store.appendToStream(lead(), [{ ...event, data: { amount: 10n } }]).catch((e) => e);
      expect(error).toMatchObject({ code: EventStoreErrorCode.InvalidEvent });
      expect(error.message).toMatch(/BigInt/);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(server.stats.appendCalls).toBe(before);
    });
  });

  describe('error mapping', () => {
    it('maps a wrong expected version to WrongExpectedRevisionError with the stream, expected and actual revisions', async () => {
      const l = lead();
      await store.appendToStream(l, newEvents(2), 'no_stream');
      const stale = await store.appendToStream(l, newEvents(1), 0n).catch((e) => e);
      expect(stale).toBeInstanceOf(WrongExpectedRevisionError);
      expect(stale).toMatchObject({ streamId: l, expected: '0', actual: '1', retryable: true });
      const missing = await store.appendToStream(lead(), newEvents(1), 'stream_exists').catch((e) => e);
      expect(missing).toMatchObject({ expected: 'stream_exists', actual: 'no_stream' });
    });

    it('maps an unreachable server to a retryable StoreUnavailableError on every operation, then works again', async () => {
      const own = newStore({ retries: 1 });
      const l = lead();
      await own.appendToStream(l, newEvents(1), 'no_stream');
      await server.stop();
      try {
        const results = await Promise.allSettled([
          own.appendToStream(l, newEvents(1), 0n),
          own.readStream(l),
          own.readAll(),
          own.headPosition(),
        ]);
        for (const result of results) {
          expect(result.status).toBe('rejected');
          const reason = (result as PromiseRejectedResult).reason;
          expect(reason).toBeInstanceOf(StoreUnavailableError);
          expect(reason).toMatchObject({ code: EventStoreErrorCode.Unavailable, retryable: true });
        }
      } finally {
        await server.start();
      }
      await expect(own.appendToStream(l, newEvents(1), 0n)).resolves.toMatchObject({ nextExpectedRevision: 1n });
      expect(await own.readStream(l)).toHaveLength(2);
    });

    it('retries an append whose answer was lost in a connection drop; the event lands once', async () => {
      const l = lead();
      await store.appendToStream(l, newEvents(1), 'no_stream');
      server.faults.appendResponseDelayMs = 150; // the server writes, then the connection drops before it answers
      const events = newEvents(2);
      const pending = store.appendToStream(l, events, 0n);
      await sleep(50);
      await server.dropConnections();
      server.faults.appendResponseDelayMs = undefined;
      const result = await pending;
      const read = await store.readStream(l);
      expect(read.map((e) => e.eventId)).toEqual([expect.any(String), ...events.map((e) => e.eventId)]);
      expect(result.nextExpectedRevision).toBe(2n);
      expect(comparePositions(result.position, read[2].position)).toBe(0);
    });

    it('accepts a kurrentdb:// connection string, which the 6.2.1 client does not parse', async () => {
      const own = new EventStoreDbEventStore(server.connectionString.replace(/^esdb:/, 'kurrentdb:'));
      stores.push(own);
      await expect(own.appendToStream(lead(), newEvents(1), 'no_stream')).resolves.toMatchObject({ nextExpectedRevision: 0n });
    });

    it('answers STORE_CLOSED after close()', async () => {
      const own = newStore();
      await own.close();
      await expect(own.appendToStream(lead(), newEvents(1))).rejects.toMatchObject({ code: EventStoreErrorCode.Closed });
      await expect(own.readAll()).rejects.toMatchObject({ code: EventStoreErrorCode.Closed });
    });
  });

  describe('event layout', () => {
    it('writes JSON data and metadata with $correlationId/$causationId, and reads them back without the system keys', async () => {
      const l = lead();
      const [event] = newEvents(1);
      await store.appendToStream(l, [{ ...event, metadata: { ...event.metadata, recordedAt: 'ignored' } }], 'no_stream');
      const raw = EventStoreDBClient.connectionString(server.connectionString);
      try {
        const [resolved] = await collect(raw.readStream(l));
        expect(resolved.event).toMatchObject({ id: event.eventId, type: 'LeadScored', isJson: true, data: event.data });
        expect(resolved.event!.metadata).toMatchObject({
          $correlationId: event.metadata.correlationId,
          $causationId: event.metadata.causationId,
          ...event.metadata,
          schemaVersion: 3,
        });
        expect((resolved.event!.metadata as Record<string, unknown>).recordedAt).not.toBe('ignored');
      } finally {
        await raw.dispose();
      }
      const [stored] = await store.readStream(l);
      expect(stored).toMatchObject({ eventId: event.eventId, type: 'LeadScored', schemaVersion: 3, streamId: l, revision: 0n, data: event.data });
      expect(stored.metadata).toEqual({ ...event.metadata, recordedAt: expect.any(String) });
      expect(Math.abs(Date.parse(stored.metadata.recordedAt) - Date.now())).toBeLessThan(60_000);
    });

    it('leaves system events out of readAll and headPosition', async () => {
      const fresh = await EsdbProtocolServer.start();
      const own = new EventStoreDbEventStore(fresh.connectionString);
      try {
        expect(await own.headPosition()).toEqual(START_POSITION);
        expect(await own.readAll()).toEqual([]);
        const l = lead();
        const written = await own.appendToStream(l, newEvents(2), 'no_stream');
        fresh.appendSystemEvent('$stats-127.0.0.1:2113', '$statsCollected', { cpu: 3 });
        expect(await own.headPosition()).toEqual(written.position);
        const all = await own.readAll();
        expect(all.map((e) => e.streamId)).toEqual([l, l]);
        expect(await own.readAll({ after: all[0].position })).toEqual([all[1]]);
      } finally {
        await own.close();
        await fresh.stop();
      }
    });
  });

  describe('subscriptions across connection drops', () => {
    it('resumes after the last delivered event when the connection drops: no gap, no duplicate', async () => {
      const prefix = `drop${randomUUID().slice(0, 8)}-`;
      const subscription = store.subscribeToAll({ after: await store.headPosition(), streamPrefixes: [prefix] });
      const iterator = subscription[Symbol.asyncIterator]();
      const l = `${prefix}lead`;
      await store.appendToStream(l, newEvents(3), 'no_stream');
      const before = await next(iterator, 3);
      await server.dropConnections();
      await store.appendToStream(l, newEvents(2), 2n);
      const after = await next(iterator, 2);
      expect([...before, ...after].map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
      await subscription.close();
      expect(warnings.some((w) => /subscription to \$all dropped/.test(w))).toBe(true);
    });

    it('resumes from its last checkpoint, past filtered-out events, when the connection drops', async () => {
      const own = newStore({ checkpointIntervalMultiplier: 1 }); // a checkpoint every 32 considered events
      const prefix = `cp${randomUUID().slice(0, 8)}-`;
      const subscription = own.subscribeToAll({ after: await own.headPosition(), streamPrefixes: [prefix] }) as ResumableSubscription;
      const iterator = subscription[Symbol.asyncIterator]();
      const l = `${prefix}lead`;
      await own.appendToStream(l, newEvents(2), 'no_stream');
      const delivered = await next(iterator, 2);
      for (let i = 0; i < 70; i++) await own.appendToStream(`other-${randomUUID()}`, newEvents(1));
      await waitFor(() => comparePositions(subscription.resumePosition!, delivered[1].position) > 0);
      const checkpoint = subscription.resumePosition!;
      const requestsBefore = server.subscriptionRequests.length;
      await server.dropConnections();
      await own.appendToStream(l, newEvents(1), 1n);
      const [third] = await next(iterator, 1);
      expect(third.revision).toBe(2n);
      const resubscribe = server.subscriptionRequests.slice(requestsBefore).find((r) => r.kind === 'all' && r.filter?.prefixes?.[0] === prefix);
      expect(resubscribe?.from).toBe(checkpoint.commit);
      await subscription.close();
    });

    it('survives a server outage and delivers what was written meanwhile, then live events', async () => {
      const prefix = `outage${randomUUID().slice(0, 8)}-`;
      const subscription = store.subscribeToAll({ after: await store.headPosition(), streamPrefixes: [prefix] });
      const iterator = subscription[Symbol.asyncIterator]();
      const l = `${prefix}lead`;
      await store.appendToStream(l, newEvents(1), 'no_stream');
      await next(iterator, 1);
      await server.stop();
      await sleep(300);
      // Written by someone else while this process could not reach the server.
      server.log.append(l, { kind: 'exact', revision: 0n }, [
        { eventId: randomUUID(), type: 'LeadScored', contentType: 'application/json', data: Buffer.from('{"index":1}'), customMetadata: Buffer.from('{"schemaVersion":1}') },
      ]);
      await server.start();
      const [missed] = await next(iterator, 1);
      expect(missed.revision).toBe(1n);
      await store.appendToStream(l, newEvents(1), 1n);
      const [live] = await next(iterator, 1);
      expect(live.revision).toBe(2n);
      await subscription.close();
      await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    });
  });
});

/** Two raw clients with BatchAppend: A appends to STREAMS while B's BatchAppend call is failed by the server. */
const RAW_CLIENT_SCRIPT = `
const { EventStoreDBClient, jsonEvent } = require('@eventstore/db-client');
const { randomUUID } = require('node:crypto');
const ev = () => jsonEvent({ type: 'Raw', data: {} });
(async () => {
  const a = EventStoreDBClient.connectionString(process.env.CONNECTION_STRING);
  const b = EventStoreDBClient.connectionString(process.env.CONNECTION_STRING);
  await a.appendToStream('warm-' + randomUUID(), ev());
  await b.appendToStream('warm-' + randomUUID(), ev());
  const inFlight = process.env.STREAMS.split(',').map((s) => a.appendToStream(s, ev()));
  await new Promise((r) => setTimeout(r, 50));
  await b.appendToStream('poison-' + randomUUID(), ev()).catch(() => undefined);
  const results = await Promise.allSettled(inFlight);
  console.log('OUTCOMES ' + JSON.stringify(results.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason.constructor.name))));
  await new Promise((r) => setTimeout(r, 1000));
  console.log('SURVIVED');
  process.exit(0);
})();
`;

function runNode(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: process.cwd(), env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function next(iterator: AsyncIterator<StoredEvent>, count: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  while (out.length < count) {
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for event ${out.length + 1} of ${count}`)), 10_000);
      }),
    ]).finally(() => clearTimeout(timer));
    if (result.done) throw new Error('subscription ended');
    out.push(result.value);
  }
  return out;
}

async function collect<T>(readable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of readable) out.push(item);
  return out;
}
