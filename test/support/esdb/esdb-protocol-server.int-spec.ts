/**
 * The real @eventstore/db-client 6.2.1 against the EventStoreDB protocol test server. These tests
 * pin down the protocol behaviours the server reproduces (see the header of esdb-protocol-server.ts);
 * they say nothing about a real EventStoreDB, which is what the contract suite is for when
 * EVENTSTORE_CONNECTION_STRING or Docker is available.
 */
import { randomUUID } from 'node:crypto';
import {
  type AllStreamResolvedEvent,
  ANY,
  BACKWARDS,
  END,
  eventTypeFilter,
  EventStoreDBClient,
  excludeSystemEvents,
  jsonEvent,
  MaxAppendSizeExceededError,
  NO_STREAM,
  type Position,
  type ResolvedEvent,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  streamNameFilter,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { EsdbProtocolServer } from './esdb-protocol-server';

jest.setTimeout(30_000);

console.warn(
  '\n*** esdb-protocol-server.int-spec: these tests exercise the in-process EventStoreDB PROTOCOL TEST SERVER with the real client; ' +
    'no real EventStoreDB is involved.\n',
);

const event = (type = 'Happened', data: Record<string, unknown> = { n: 1 }, id?: string) =>
  jsonEvent({ id: id ?? randomUUID(), type, data, metadata: { $correlationId: 'c', tenant: 't' } });
const stream = (prefix = 'test') => `${prefix}-${randomUUID()}`;

async function collect<T>(readable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of readable) out.push(item);
  return out;
}

async function takeEvents(
  subscription: AsyncIterable<AllStreamResolvedEvent | ResolvedEvent>,
  count: number,
): Promise<Array<{ streamId: string; revision: bigint; type: string; position?: Position }>> {
  const out: Array<{ streamId: string; revision: bigint; type: string; position?: Position }> = [];
  for await (const resolved of subscription) {
    const e = resolved.event!;
    out.push({ streamId: e.streamId, revision: e.revision, type: e.type, position: e.position });
    if (out.length === count) break;
  }
  return out;
}

const waitFor = async (condition: () => boolean, timeoutMs = 5000) => {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe.each([
  { batchAppend: true, path: 'BatchAppend' },
  { batchAppend: false, path: 'unary Append' },
])('EventStoreDB protocol test server, appends through $path', ({ batchAppend }) => {
  let server: EsdbProtocolServer;
  let client: EventStoreDBClient;

  beforeAll(async () => {
    server = await EsdbProtocolServer.start({ advertiseBatchAppend: batchAppend });
    client = EventStoreDBClient.connectionString(server.connectionString);
  });
  afterAll(async () => {
    await client?.dispose();
    await server?.stop();
  });

  describe('server features and append', () => {
    it('is asked for its features on connect and the client takes the advertised append path', async () => {
      const before = { ...server.stats };
      await client.appendToStream(stream(), event());
      expect(server.stats.serverFeatures).toBeGreaterThanOrEqual(1);
      if (batchAppend) expect(server.stats.batchAppendRequests).toBeGreaterThan(before.batchAppendRequests);
      else expect(server.stats.appendCalls).toBeGreaterThan(before.appendCalls);
      expect(batchAppend ? server.stats.appendCalls : server.stats.batchAppendCalls).toBe(0);
    });

    it('numbers revisions from zero and returns the position of the last event', async () => {
      const s = stream();
      const result = await client.appendToStream(s, [event(), event(), event()], { expectedRevision: NO_STREAM });
      expect(result).toMatchObject({ success: true, nextExpectedRevision: 2n });
      const read = await collect(client.readStream(s));
      expect(read.map((r) => r.event!.revision)).toEqual([0n, 1n, 2n]);
      expect(read[2].event!.position).toEqual(result.position);
      expect(read[0].event!.position!.commit).toBeLessThan(read[1].event!.position!.commit);
      expect(read[0].event!.position!.commit).toBe(read[0].event!.position!.prepare);
    });

    it.each([
      ['no_stream on an existing stream', NO_STREAM, true, 'no_stream', 0n],
      ['stream_exists on a missing stream', STREAM_EXISTS, false, 'stream_exists', 'no_stream'],
      ['a stale exact revision', 5n, true, 5n, 0n],
      ['an exact revision on a missing stream', 0n, false, 0n, 'no_stream'],
    ] as const)('refuses %s with the wrong expected version details', async (_name, expected, exists, expectedVersion, actual) => {
      const s = stream();
      if (exists) await client.appendToStream(s, event(), { expectedRevision: NO_STREAM });
      const error = await client.appendToStream(s, event(), { expectedRevision: expected }).catch((e) => e);
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(error).toMatchObject({ streamName: s, expectedVersion, actualVersion: actual });
    });

    it('honours any and stream_exists', async () => {
      const s = stream();
      await client.appendToStream(s, event(), { expectedRevision: ANY });
      await expect(client.appendToStream(s, event(), { expectedRevision: STREAM_EXISTS })).resolves.toMatchObject({
        nextExpectedRevision: 1n,
      });
    });

    it('is idempotent by event id: the same events at the same revision succeed with the original position', async () => {
      const s = stream();
      const events = [event(), event()];
      const first = await client.appendToStream(s, events, { expectedRevision: NO_STREAM });
      await client.appendToStream(s, event(), { expectedRevision: 1n });
      const again = await client.appendToStream(s, events, { expectedRevision: NO_STREAM });
      expect(again).toEqual(first);
      const withAny = await client.appendToStream(s, events, { expectedRevision: ANY });
      expect(withAny).toEqual(first);
      expect(await collect(client.readStream(s))).toHaveLength(3);
    });

    it('reports a partial replay (corrupted idempotency) as a wrong expected version', async () => {
      const s = stream();
      const [a, b] = [event(), event()];
      await client.appendToStream(s, [a, b], { expectedRevision: NO_STREAM });
      await expect(client.appendToStream(s, [a, event()], { expectedRevision: NO_STREAM })).rejects.toBeInstanceOf(
        WrongExpectedVersionError,
      );
    });

    it('fails a non-UUID event id as an unknown error, as the real server does', async () => {
      const s = stream();
      const error = await client.appendToStream(s, event('Happened', {}, 'not-a-uuid')).catch((e) => e);
      expect(error).toBeInstanceOf(UnknownError);
      await expect(collect(client.readStream(s))).rejects.toBeInstanceOf(StreamNotFoundError);
    });

    it('refuses an append over the maximum append size', async () => {
      const error = await client
        .appendToStream(stream(), event('Big', { blob: 'x'.repeat(1024 * 1024 + 10) }))
        .catch((e) => e);
      expect(error).toBeInstanceOf(MaxAppendSizeExceededError);
      expect(error.maxAppendSize).toBe(1024 * 1024);
    });

    it('keeps a conflict on one stream from failing concurrent appends to others', async () => {
      const streams = Array.from({ length: 20 }, () => stream('iso'));
      await Promise.all(streams.map((s) => client.appendToStream(s, event(), { expectedRevision: NO_STREAM })));
      const results = await Promise.allSettled(streams.map((s, i) => client.appendToStream(s, event(), { expectedRevision: i === 3 ? 9n : 0n })));
      expect(results.map((r) => r.status)).toEqual(streams.map((_, i) => (i === 3 ? 'rejected' : 'fulfilled')));
    });
  });

  describe('reads', () => {
    let s: string;
    beforeAll(async () => {
      s = stream('read');
      await client.appendToStream(s, [0, 1, 2, 3, 4].map((n) => event('Numbered', { n })), { expectedRevision: NO_STREAM });
    });

    it('reads a stream forwards and backwards from a revision with a count', async () => {
      const revisions = async (options: Parameters<EventStoreDBClient['readStream']>[1]) =>
        (await collect(client.readStream(s, options))).map((r) => r.event!.revision);
      expect(await revisions({ fromRevision: 1n, maxCount: 2 })).toEqual([1n, 2n]);
      expect(await revisions({ direction: BACKWARDS, fromRevision: END, maxCount: 2 })).toEqual([4n, 3n]);
      expect(await revisions({ direction: BACKWARDS, fromRevision: 1n })).toEqual([1n, 0n]);
    });

    it('round-trips data, metadata, type, content type and created', async () => {
      const [first] = await collect(client.readStream(s, { maxCount: 1 }));
      expect(first.event).toMatchObject({ type: 'Numbered', isJson: true, data: { n: 0 }, metadata: { $correlationId: 'c', tenant: 't' } });
      expect(Math.abs(first.event!.created.getTime() - Date.now())).toBeLessThan(60_000);
    });

    it('signals a missing stream with StreamNotFound', async () => {
      await expect(collect(client.readStream(stream('missing')))).rejects.toBeInstanceOf(StreamNotFoundError);
    });

    it('reads $all forwards from a position (inclusive) and backwards (exclusive), system events included', async () => {
      const all = await collect(client.readAll({ maxCount: 10_000 }));
      expect(all[0].event!.streamId.startsWith('$')).toBe(true);
      const positions = all.map((r) => r.event!.position.commit);
      expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
      const mid = all[Math.floor(all.length / 2)].event!.position;
      const forwards = await collect(client.readAll({ fromPosition: mid, maxCount: 2 }));
      expect(forwards[0].event!.position).toEqual(mid);
      const backwards = await collect(client.readAll({ fromPosition: mid, direction: BACKWARDS, maxCount: 2 }));
      expect(backwards[0].event!.position.commit).toBeLessThan(mid.commit);
      const last = await collect(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }));
      expect(last[0].event!.position).toEqual(all[all.length - 1].event!.position);
    });
  });

  describe('subscriptions', () => {
    it('subscribes to a stream: confirmation, history, caught up, then live events', async () => {
      const s = stream('sub');
      await client.appendToStream(s, [event(), event()]);
      const subscription = client.subscribeToStream(s, { fromRevision: START });
      const signals: string[] = [];
      subscription.on('confirmation', () => signals.push('confirmation'));
      subscription.on('caughtUp', () => signals.push('caughtUp'));
      const received = takeEvents(subscription, 3);
      await waitFor(() => signals.includes('caughtUp'));
      await client.appendToStream(s, event('Live'));
      expect((await received).map((e) => `${e.revision}:${e.type}`)).toEqual(['0:Happened', '1:Happened', '2:Live']);
      expect(signals).toEqual(['confirmation', 'caughtUp']);
      await subscription.unsubscribe();
    });

    it('subscribes to a stream after a revision (exclusive)', async () => {
      const s = stream('sub');
      await client.appendToStream(s, [event(), event(), event()]);
      const subscription = client.subscribeToStream(s, { fromRevision: 0n });
      expect((await takeEvents(subscription, 2)).map((e) => e.revision)).toEqual([1n, 2n]);
      await subscription.unsubscribe();
    });

    it('subscribes to $all after a position (exclusive) and receives live events', async () => {
      const s = stream('suball');
      const first = await client.appendToStream(s, event());
      await client.appendToStream(s, event());
      const subscription = client.subscribeToAll({ fromPosition: first.position!, filter: streamNameFilter({ prefixes: [s] }) });
      const received = takeEvents(subscription, 2);
      setTimeout(() => void client.appendToStream(s, event('Live')), 30);
      expect((await received).map((e) => `${e.revision}:${e.type}`)).toEqual(['1:Happened', '2:Live']);
      await subscription.unsubscribe();
    });

    it.each([
      ['stream name prefixes', (p: string) => streamNameFilter({ prefixes: [`${p}-a`, `${p}-b`] }), ['a', 'b']],
      ['stream name regex', (p: string) => streamNameFilter({ regex: `^${p}-[ac]` }), ['a', 'c']],
      ['event type prefixes', (p: string) => eventTypeFilter({ prefixes: [`${p}Type-b`] }), ['b']],
      ['event type regex', (p: string) => eventTypeFilter({ regex: `^${p}Type-(a|c)$` }), ['a', 'c']],
    ])('filters $all on the server by %s', async (_name, makeFilter, expected) => {
      const p = `f${randomUUID().slice(0, 8)}`;
      const start = await client.appendToStream(stream('before'), event());
      for (const x of ['a', 'b', 'c']) await client.appendToStream(`${p}-${x}`, event(`${p}Type-${x}`));
      const subscription = client.subscribeToAll({ fromPosition: start.position!, filter: makeFilter(p) });
      const events = await takeEvents(subscription, expected.length);
      expect(events.map((e) => e.streamId.slice(-1))).toEqual(expected);
      await subscription.unsubscribe();
    });

    it('excludes system events with excludeSystemEvents()', async () => {
      server.appendSystemEvent('$stats-test', '$statsCollected', { cpu: 1 });
      const s = stream('nonsys');
      await client.appendToStream(s, event());
      const subscription = client.subscribeToAll({ fromPosition: START, filter: excludeSystemEvents() });
      const seen: string[] = [];
      for await (const resolved of subscription) {
        seen.push(resolved.event!.type);
        if (resolved.event!.streamId === s) break;
      }
      await subscription.unsubscribe();
      expect(seen.some((t) => t.startsWith('$'))).toBe(false);
    });

    it('sends checkpoints every checkpointInterval x window considered events, during catch-up and live', async () => {
      const p = `cp${randomUUID().slice(0, 8)}`;
      const start = await client.appendToStream(stream('cpstart'), event());
      for (let i = 0; i < 10; i++) await client.appendToStream(stream('noise'), event());
      const checkpoints: Position[] = [];
      const subscription = client.subscribeToAll({
        fromPosition: start.position!,
        filter: streamNameFilter({ prefixes: [p], maxSearchWindow: 2, checkpointInterval: 2, checkpointReached: (_s, position) => void checkpoints.push(position) }),
      });
      const caughtUp = new Promise((r) => subscription.once('caughtUp', r));
      const pump = takeEvents(subscription, 1);
      await caughtUp;
      expect(checkpoints.length).toBeGreaterThanOrEqual(2); // 10 considered events, one checkpoint every 4
      const beforeLive = checkpoints.length;
      for (let i = 0; i < 4; i++) await client.appendToStream(stream('noise'), event());
      await waitFor(() => checkpoints.length > beforeLive);
      await client.appendToStream(`${p}-x`, event());
      await pump;
      const commits = checkpoints.map((c) => c.commit);
      expect([...commits].sort((a, b) => (a < b ? -1 : 1))).toEqual(commits);
      await subscription.unsubscribe();
    });
  });

  describe('connection drops', () => {
    it('cuts open subscriptions, keeps the data across a restart on the same port, and serves again', async () => {
      const s = stream('drop');
      await client.appendToStream(s, event());
      const port = server.port;
      const subscription = client.subscribeToStream(s);
      const failed = new Promise<unknown>((resolve) => subscription.on('error', resolve));
      await takeEvents(subscription, 1);
      await server.dropConnections();
      expect(await failed).toBeDefined();
      expect(server.port).toBe(port);
      let result;
      for (let i = 0; i < 20 && !result; i++) {
        result = await client.appendToStream(s, event(), { expectedRevision: 0n }).catch(() => new Promise((r) => setTimeout(r, 100)));
      }
      expect(result).toMatchObject({ nextExpectedRevision: 1n });
      expect((await collect(client.readStream(s))).length).toBe(2);
    });

    it('is unavailable while stopped and available again after start()', async () => {
      const own = EventStoreDBClient.connectionString(server.connectionString);
      await server.stop();
      try {
        // A client that has not fetched the server features yet gets that call's raw gRPC error
        // (14 UNAVAILABLE, or 1 CANCELLED when grpc-js reused the dying shared subchannel), not the
        // client's UnavailableError.
        const error = await own.appendToStream(stream(), event()).catch((e) => e);
        expect([1, 14]).toContain(error.code);
        await expect(collect(own.readStream(stream()))).rejects.toBeInstanceOf(UnavailableError);
      } finally {
        await server.start();
      }
      let ok = false;
      for (let i = 0; i < 20 && !ok; i++) {
        ok = await own.appendToStream(stream(), event()).then(
          () => true,
          () => new Promise<boolean>((r) => setTimeout(() => r(false), 100)),
        );
      }
      expect(ok).toBe(true);
      await own.dispose();
    });
  });
});
