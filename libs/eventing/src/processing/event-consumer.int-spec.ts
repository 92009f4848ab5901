import { randomUUID } from 'node:crypto';
import {
  comparePositions,
  EventConsumer,
  type EventStore,
  type NewEvent,
  ProcessorHost,
  ProcessorRunner,
  SqliteCheckpointStore,
  SqliteEventStore,
  SqliteKeyStore,
} from '@lead-lifecycle/eventing';
import { CountingEventStore } from '../../../../test/support/counting-event-store';
import { RecordingProcessor } from '../../../../test/support/recording-processor';

jest.setTimeout(30_000);

const quiet = { log: () => undefined };

function events(count: number): NewEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    eventId: randomUUID(),
    type: 'Noted',
    schemaVersion: 1,
    data: { n: i },
    metadata: { tenantId: 't', occurredAt: '2026-01-01T00:00:00.000Z', actor: 'test', correlationId: randomUUID(), causationId: randomUUID() },
  }));
}

/** `count` events, one append (one transaction) per `perAppend`, on streams lead-0, lead-1, ... */
async function append(store: EventStore, count: number, perAppend = count): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < count; done += perAppend) {
    const batch = events(Math.min(perAppend, count - done));
    await store.appendToStream(`lead-${done}`, batch, 'any');
    ids.push(...batch.map((e) => e.eventId));
  }
  return ids;
}

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function atHead(store: EventStore, runners: ProcessorRunner[]): Promise<void> {
  const head = await store.headPosition();
  for (const runner of runners) expect(await runner.waitFor(head, 10_000)).toBe(true);
}

function setup() {
  const store = new CountingEventStore(new SqliteEventStore({ filename: ':memory:', pollIntervalMs: 10 }));
  const checkpoints = new SqliteCheckpointStore(':memory:');
  const consumer = new EventConsumer(store, { idleWaitMs: 50, detachAfterMs: 20 });
  const add = (processor: RecordingProcessor, options: ConstructorParameters<typeof ProcessorRunner>[3] = {}) =>
    new ProcessorRunner(store, checkpoints, processor, { batchSize: 10, ...quiet, ...options }, consumer);
  const close = async () => {
    for (const runner of consumer.members()) await runner.stop();
    checkpoints.close();
    await store.close();
  };
  return { store, checkpoints, consumer, add, close };
}

describe('one consumer for many processors', () => {
  it('reads each batch once for all of them (catch-up): one readAll per batch, every event decoded once', async () => {
    const { store, checkpoints, consumer, add, close } = setup();
    const ids = await append(store, 95, 5);
    const processors = ['a', 'b', 'c'].map((name) => new RecordingProcessor(name));
    processors.forEach((p) => add(p));
    await consumer.catchUp();

    // 10 batches of at most 10 events, then one empty read that finds the head.
    expect(store.readAllCalls).toBe(11);
    expect(store.eventsRead).toBe(95);
    for (const p of processors) {
      expect(p.handled).toEqual(ids);
      expect(checkpoints.load(p.name)).toEqual(await store.headPosition());
    }
    const metrics = consumer.metrics();
    expect(metrics).toMatchObject({ readAllCalls: 11, batchesRead: 10, eventsRead: 95, sharedReads: 10 });
    expect(metrics.processors.a).toMatchObject({ eventsDelivered: 95, batches: 10, lastBatchSize: 5, reads: 10, ownReads: 0, lag: 0 });
    await close();
  });

  it('reads each batch once for all of them while they follow the log live', async () => {
    const { store, consumer, add, close } = setup();
    const processors = ['a', 'b', 'c'].map((name) => new RecordingProcessor(name));
    const runners = processors.map((p) => add(p));
    runners.forEach((r) => r.start());
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(...(await append(store, 7)));
    await atHead(store, runners);

    for (const p of processors) expect(p.handled).toEqual(ids);
    // every event was read once, and every read that returned events went to all three
    expect(store.eventsRead).toBe(56);
    expect(consumer.metrics().sharedReads).toBe(store.batchesRead);
    // one shared wait at a time: no more subscriptions than idle waits of the one consumer
    expect(store.subscriptions.length).toBeLessThanOrEqual(consumer.metrics().waits);
    await close();
  });

  it('a processor failing transiently keeps its checkpoint while the others reach the head, then catches up', async () => {
    const { store, checkpoints, add, close } = setup();
    const first = await append(store, 20);
    const [a, relay, c] = ['a', 'relay', 'c'].map((name) => new RecordingProcessor(name));
    const runners = [a, relay, c].map((p) => add(p));
    runners.forEach((r) => r.start());
    await atHead(store, runners);
    const before = checkpoints.load('relay');

    relay.failUntilHealed();
    const later = await append(store, 35, 5);
    await atHead(store, [runners[0], runners[2]]);
    await waitUntil(() => runners[1].status().state === 'retrying');
    expect(checkpoints.load('relay')).toEqual(before);
    expect(runners[1].status()).toMatchObject({ state: 'retrying', lastError: 'relay is unreachable (simulated)', position: before });
    expect(a.handled).toEqual([...first, ...later]);

    relay.heal();
    await atHead(store, runners);
    expect(relay.handled).toEqual([...first, ...later]);
    expect(checkpoints.load('relay')).toEqual(await store.headPosition());
    await waitUntil(() => runners[1].status().state === 'running');
    await close();
  });

  it('a processor stopped by a poison event (policy stop) does not block the others', async () => {
    const { store, checkpoints, add, close } = setup();
    const ids = await append(store, 30, 3);
    const poison = ids[14];
    const [a, stopping, c] = [new RecordingProcessor('a'), new RecordingProcessor('stopping', { poisonEventId: poison }), new RecordingProcessor('c')];
    const runners = [add(a), add(stopping, { poisonPolicy: 'stop', maxAttempts: 2 }), add(c)];
    runners.forEach((r) => r.start());
    await waitUntil(() => runners[1].status().state === 'stopped');
    const more = await append(store, 12);
    await atHead(store, [runners[0], runners[2]]);

    expect(a.handled).toEqual([...ids, ...more]);
    expect(c.handled).toEqual([...ids, ...more]);
    expect(runners[1].status().stoppedReason).toContain(poison);
    // it kept everything before the poison event (handled one at a time) and nothing after it
    expect(stopping.handled).toEqual(ids.slice(0, 14));
    expect(checkpoints.load('stopping')).toEqual((await store.readAll({ maxCount: 14 }))[13].position);
    expect(checkpoints.failures('stopping').map((f) => [f.eventId, f.action])).toEqual([[poison, 'stopped']]);
    await close();
  });

  it('a laggard starting from zero does not hold back the others; it catches up with its own reads and rejoins the shared batches', async () => {
    const { store, consumer, add, close } = setup();
    const history = await append(store, 60, 6);
    const [a, b] = [new RecordingProcessor('a'), new RecordingProcessor('b')];
    const leaders = [add(a), add(b)];
    leaders.forEach((r) => r.start());
    await atHead(store, leaders);

    // A new processor (or one just reset for a rebuild) at position zero, slow: held at a gate.
    const late = new RecordingProcessor('late');
    late.closeGate();
    const laggard = add(late);
    laggard.start();
    const live = await append(store, 9, 3);
    await atHead(store, leaders); // the leaders go on while the laggard is stuck in its first batch
    expect(a.handled).toEqual([...history, ...live]);
    expect(late.handled).toEqual([]);

    late.openGate();
    await atHead(store, [laggard]);
    expect(late.handled).toEqual([...history, ...live]);
    expect(consumer.metrics().processors.late.ownReads).toBeGreaterThan(0);

    // Back with the others: the next batch is one read for all three.
    const reads = store.batchesRead;
    const shared = consumer.metrics().sharedReads;
    const last = await append(store, 4);
    await atHead(store, [...leaders, laggard]);
    expect(store.batchesRead - reads).toBe(1);
    expect(consumer.metrics().sharedReads - shared).toBe(1);
    for (const p of [a, b, late]) expect(p.handled.slice(-4)).toEqual(last);
    await close();
  });

  it('reads personal data sealed, unless a processor reading in that batch needs it open', async () => {
    const { store, consumer, add, close } = setup();
    await append(store, 25);
    add(new RecordingProcessor('projection'));
    await consumer.catchUp();
    expect(store.reads.length).toBeGreaterThan(0);
    expect(store.reads.every((r) => r.options.personalData === 'sealed')).toBe(true);

    // The relay needs plaintext: its reads are open; the projection at the head still reads sealed.
    const relay = add(new RecordingProcessor('relay', { personalData: 'open' }));
    store.reads.length = 0;
    await consumer.catchUp();
    const relayReads = store.reads.filter((r) => r.options.after && comparePositions(r.options.after, relay.position()) < 0);
    expect(relayReads.length).toBeGreaterThan(0);
    expect(relayReads.every((r) => r.options.personalData === 'open')).toBe(true);
    expect(store.reads.filter((r) => r.options.personalData === 'sealed').length).toBeGreaterThan(0);

    // Together at one position, one read serves both: open.
    store.reads.length = 0;
    await append(store, 5);
    await consumer.catchUp();
    expect(store.reads.map((r) => [r.events, r.options.personalData])).toEqual([
      [5, 'open'],
      [0, 'open'],
    ]);
    // the wait for new events never needs plaintext
    consumer.members().forEach((r) => r.start());
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(store.subscriptions.length).toBeGreaterThan(0);
    expect(store.subscriptions.every((s) => s.personalData === 'sealed')).toBe(true);
    await close();
  });

  it('ProcessorHost: register still answers a runner (start/stop/catchUp/status/waitFor), all on one consumer, with counters', async () => {
    const store = new CountingEventStore(new SqliteEventStore({ filename: ':memory:', pollIntervalMs: 10 }));
    const checkpoints = new SqliteCheckpointStore(':memory:');
    const host = new ProcessorHost(store, checkpoints, new SqliteKeyStore(':memory:'));
    const [a, b] = [new RecordingProcessor('a'), new RecordingProcessor('b')];
    const runnerA = host.register(a, { batchSize: 8, idleWaitMs: 20, ...quiet });
    host.register(b, { batchSize: 8, ...quiet });
    const ids = await append(store, 40, 4);
    await host.runner('b')!.catchUp(); // one processor alone, as the rebuild CLI does
    expect(b.handled).toEqual(ids);
    expect(a.handled).toEqual([]);

    host.onApplicationBootstrap();
    await atHead(store, [runnerA]);
    expect(a.handled).toEqual(ids);
    expect(host.statuses().map((s) => [s.name, s.state])).toEqual([
      ['a', 'running'],
      ['b', 'running'],
    ]);
    const more = await append(store, 6);
    await atHead(store, [runnerA, host.runner('b')!]);
    expect(b.handled).toEqual([...ids, ...more]);
    expect(host.metrics().processors.b).toMatchObject({ eventsDelivered: 46, lag: 0 });
    await runnerA.stop();
    expect(runnerA.status().state).toBe('idle');
    await host.onApplicationShutdown();
  });
});
