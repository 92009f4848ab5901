import { randomUUID } from 'node:crypto';
import {
  comparePositions,
  DEFAULT_EVENT_LIMITS,
  type EventStore,
  EventStoreError,
  EventStoreErrorCode,
  InvalidEventError,
  type NewEvent,
  type StoredEvent,
  validateAppend,
  WrongExpectedRevisionError,
} from '@lead-lifecycle/eventing';

export interface EventStoreUnderTest {
  store: EventStore;
  cleanup(): Promise<void>;
}

/** Events for a contract test; stream names are unique per call so a shared server stays usable. */
function newEvents(count: number, type = 'ThingHappened'): NewEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    data: { index: i, nested: { text: `é ${i}` } },
    metadata: {
      tenantId: 'tenant-a',
      occurredAt: '2026-01-02T03:04:05.000Z',
      actor: 'contract-test',
      correlationId: randomUUID(),
      causationId: randomUUID(),
    },
  }));
}

const uniqueStream = (prefix = 'contract') => `${prefix}-${randomUUID()}`;

async function take(iterable: AsyncIterable<StoredEvent>, count: number, accept: (e: StoredEvent) => boolean): Promise<StoredEvent[]> {
  const seen: StoredEvent[] = [];
  for await (const event of iterable) {
    if (!accept(event)) continue;
    seen.push(event);
    if (seen.length === count) break;
  }
  return seen;
}

/**
 * The behaviour every event store adapter must show. Run it from an adapter's *.int-spec.ts with a
 * factory that yields a fresh or shared store.
 */
export function describeEventStoreContract(name: string, factory: () => Promise<EventStoreUnderTest>): void {
  describe(`event store contract: ${name}`, () => {
    let subject: EventStoreUnderTest;
    let store: EventStore;
    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    });
    afterAll(async () => subject?.cleanup());

    describe('append', () => {
      it('creates a stream with no_stream and numbers revisions from zero', async () => {
        const stream = uniqueStream();
        const result = await store.appendToStream(stream, newEvents(3), 'no_stream');
        expect(result.nextExpectedRevision).toBe(2n);
        const read = await store.readStream(stream);
        expect(read.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
        expect(comparePositions(read[2].position, result.position)).toBe(0);
      });

      it('refuses no_stream when the stream exists, naming the actual revision', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, newEvents(1), 'no_stream');
        const error = await store.appendToStream(stream, newEvents(1), 'no_stream').catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect((error as WrongExpectedRevisionError).code).toBe(EventStoreErrorCode.WrongExpectedRevision);
        expect((error as WrongExpectedRevisionError).actual).toBe('0');
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('appends at an exact revision and refuses a stale one', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, newEvents(2), 'no_stream');
        await expect(store.appendToStream(stream, newEvents(1), 1n)).resolves.toMatchObject({ nextExpectedRevision: 2n });
        await expect(store.appendToStream(stream, newEvents(1), 1n)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(store.appendToStream(uniqueStream(), newEvents(1), 0n)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('honours stream_exists and any', async () => {
        const stream = uniqueStream();
        await expect(store.appendToStream(stream, newEvents(1), 'stream_exists')).rejects.toBeInstanceOf(
          WrongExpectedRevisionError,
        );
        await store.appendToStream(stream, newEvents(1), 'any');
        await store.appendToStream(stream, newEvents(1), 'stream_exists');
        await store.appendToStream(stream, newEvents(1));
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      });

      it('is idempotent by event id: the same events appended again are not duplicated', async () => {
        const stream = uniqueStream();
        const events = newEvents(2);
        const first = await store.appendToStream(stream, events, 'no_stream');
        const again = await store.appendToStream(stream, events, 'no_stream');
        expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('lets exactly one of many concurrent writers at the same revision win', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, newEvents(1), 'no_stream');
        const results = await Promise.allSettled(Array.from({ length: 12 }, () => store.appendToStream(stream, newEvents(1), 0n)));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
          expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
        }
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('keeps a conflict on one stream from failing concurrent appends to others', async () => {
        const streams = Array.from({ length: 10 }, () => uniqueStream());
        await Promise.all(streams.map((s) => store.appendToStream(s, newEvents(1), 'no_stream')));
        const results = await Promise.allSettled(
          streams.map((s, i) => store.appendToStream(s, newEvents(1), i === 3 ? 7n : 0n)),
        );
        results.forEach((r, i) => expect(r.status).toBe(i === 3 ? 'rejected' : 'fulfilled'));
      });

      it('refuses an event id that is not a UUID with a clear error and writes nothing', async () => {
        const stream = uniqueStream();
        const [event] = newEvents(1);
        const error = await store.appendToStream(stream, [{ ...event, eventId: 'not-a-uuid' }], 'any').catch((e) => e);
        expect(error).toBeInstanceOf(EventStoreError);
        expect((error as EventStoreError).code).toBe(EventStoreErrorCode.InvalidEvent);
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('refuses, writing nothing, a payload JSON would change or that breaks the limits, and validateAppend says so first', async () => {
        let deep: Record<string, unknown> = { leaf: true };
        for (let i = 0; i < 10_000; i++) deep = { deep };
        const refused: Array<[string, Record<string, unknown>]> = [
          ['NaN', { amount: Number.NaN }],
          ['Infinity', { amount: Number.POSITIVE_INFINITY }],
          ['a BigInt', { amount: 10n }],
          ['undefined in an array', { list: [1, undefined] }],
          ['a Date', { at: new Date(0) }],
          ['a __proto__ key', JSON.parse('{"attributes":{"__proto__":{"admin":true}}}')],
          ['nesting past the depth limit, 10,000 levels deep', { deep }],
          ['more bytes than the limit', { text: 'x'.repeat(DEFAULT_EVENT_LIMITS.maxEventBytes) }],
        ];
        for (const [what, data] of refused) {
          const stream = uniqueStream();
          const [event] = newEvents(1);
          const candidate = [{ ...event, data }];
          let checked: unknown;
          try {
            validateAppend(store, stream, candidate);
          } catch (error) {
            checked = error;
          }
          expect({ what, checked }).toMatchObject({ what, checked: expect.any(InvalidEventError) });
          const error = await store.appendToStream(stream, candidate, 'no_stream').catch((e) => e);
          expect({ what, error }).toMatchObject({ what, error: { code: EventStoreErrorCode.InvalidEvent } });
          expect(await store.readStream(stream)).toEqual([]);
        }
        // Within the limits, and validateAppend itself writes nothing.
        const stream = uniqueStream();
        const fine = newEvents(1);
        validateAppend(store, stream, fine);
        expect(await store.readStream(stream)).toEqual([]);
        await store.appendToStream(stream, fine, 'no_stream');
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('round-trips type, schema version, data and metadata, and records recordedAt', async () => {
        const stream = uniqueStream();
        const [event] = newEvents(1, 'LeadCaptured');
        await store.appendToStream(stream, [{ ...event, schemaVersion: 2 }], 'no_stream');
        const [stored] = await store.readStream(stream);
        expect(stored).toMatchObject({ eventId: event.eventId, type: 'LeadCaptured', schemaVersion: 2, streamId: stream });
        expect(stored.data).toEqual(event.data);
        expect(stored.metadata).toMatchObject(event.metadata);
        expect(Number.isNaN(Date.parse(stored.metadata.recordedAt))).toBe(false);
      });
    });

    describe('read a stream', () => {
      it('returns an empty list for a stream that does not exist', async () => {
        expect(await store.readStream(uniqueStream())).toEqual([]);
      });

      it('reads forwards and backwards from a revision with a count', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, newEvents(5), 'no_stream');
        const forwards = await store.readStream(stream, { fromRevision: 1n, maxCount: 2 });
        expect(forwards.map((e) => e.revision)).toEqual([1n, 2n]);
        const backwards = await store.readStream(stream, { direction: 'backwards', maxCount: 2 });
        expect(backwards.map((e) => e.revision)).toEqual([4n, 3n]);
        const backFrom = await store.readStream(stream, { direction: 'backwards', fromRevision: 1n });
        expect(backFrom.map((e) => e.revision)).toEqual([1n, 0n]);
      });
    });

    describe('global order', () => {
      it('reads every stream in one increasing order, after a position', async () => {
        const a = uniqueStream('order');
        const b = uniqueStream('order');
        const first = await store.appendToStream(a, newEvents(1), 'no_stream');
        await store.appendToStream(b, newEvents(1), 'no_stream');
        await store.appendToStream(a, newEvents(1), 0n);
        const mine = (await readAllFrom(store, undefined)).filter((e) => e.streamId === a || e.streamId === b);
        expect(mine.map((e) => `${e.streamId === a ? 'a' : 'b'}${e.revision}`)).toEqual(['a0', 'b0', 'a1']);
        for (let i = 1; i < mine.length; i++) expect(comparePositions(mine[i - 1].position, mine[i].position)).toBe(-1);
        const after = (await readAllFrom(store, first.position)).filter((e) => e.streamId === a || e.streamId === b);
        expect(after.map((e) => e.revision)).toEqual([0n, 1n]);
        expect(comparePositions(await store.headPosition(), mine[2].position)).toBeGreaterThanOrEqual(0);
      });

      it('honours maxCount when reading all', async () => {
        await store.appendToStream(uniqueStream(), newEvents(3), 'no_stream');
        expect(await store.readAll({ maxCount: 2 })).toHaveLength(2);
      });
    });

    describe('subscribe to all', () => {
      it('catches up from a position, then delivers live events, filtered by stream prefix', async () => {
        const prefix = `sub${randomUUID().slice(0, 8)}-`;
        const stream = `${prefix}${randomUUID()}`;
        const start = await store.headPosition();
        await store.appendToStream(stream, newEvents(2), 'no_stream');
        await store.appendToStream(uniqueStream('other'), newEvents(1), 'no_stream');
        const subscription = store.subscribeToAll({ after: start, streamPrefixes: [prefix] });
        const received = take(subscription, 4, () => true);
        setTimeout(() => void store.appendToStream(stream, newEvents(2), 1n), 50);
        const events = await received;
        await subscription.close();
        expect(events.map((e) => [e.streamId, e.revision])).toEqual([
          [stream, 0n],
          [stream, 1n],
          [stream, 2n],
          [stream, 3n],
        ]);
      });

      it('stops iterating when closed', async () => {
        const subscription = store.subscribeToAll({ after: await store.headPosition() });
        const done = (async () => {
          let n = 0;
          for await (const _ of subscription) n++;
          return n;
        })();
        await new Promise((r) => setTimeout(r, 50));
        await subscription.close();
        await expect(done).resolves.toBeGreaterThanOrEqual(0);
      });
    });
  });
}

async function readAllFrom(store: EventStore, after: StoredEvent['position'] | undefined): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let position = after;
  for (;;) {
    const batch = await store.readAll({ after: position, maxCount: 500 });
    out.push(...batch);
    if (batch.length < 500) return out;
    position = batch[batch.length - 1].position;
  }
}
