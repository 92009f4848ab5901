import { randomUUID } from 'node:crypto';
import { type NewEvent } from '../event-store.port';
import { WrongExpectedRevisionError } from '../event-store.errors';
import { SqliteEventStore } from './sqlite-event-store';

const event = (): NewEvent => ({
  eventId: randomUUID(),
  type: 'LeadCaptured',
  schemaVersion: 1,
  data: { n: 1 },
  metadata: { tenantId: 't', occurredAt: '2026-01-01T00:00:00.000Z', actor: 'a', correlationId: 'c', causationId: 'd' },
});

describe('SqliteEventStore.metrics', () => {
  let store: SqliteEventStore;
  let ticks: number;

  beforeEach(() => {
    // Every reading of the monotonic clock advances it by 1 ms: durations are then whole, known counts.
    ticks = 0;
    store = new SqliteEventStore({ filename: ':memory:', elapsedMs: () => ticks++ });
  });

  afterEach(() => store.close());

  it('starts at zero, with zero means rather than NaN', () => {
    expect(store.metrics()).toEqual({
      appends: 0,
      events: 0,
      groupCommits: 0,
      meanAppendsPerCommit: 0,
      meanEventsPerCommit: 0,
      maxAppendsPerCommit: 0,
      conflicts: 0,
      otherFailures: 0,
      failedCommits: 0,
      commitMs: 0,
      flushMs: 0,
    });
  });

  it('counts the appends of one tick as one group commit, with their events', async () => {
    await Promise.all([
      store.appendToStream('lead-1', [event(), event()], 'no_stream'),
      store.appendToStream('lead-2', [event()], 'no_stream'),
      store.appendToStream('lead-3', [event(), event(), event()], 'no_stream'),
    ]);
    await store.appendToStream('lead-1', [event()], 1n);

    const metrics = store.metrics();
    expect(metrics).toMatchObject({ appends: 4, events: 7, groupCommits: 2, maxAppendsPerCommit: 3, conflicts: 0, otherFailures: 0 });
    expect(metrics.meanAppendsPerCommit).toBe(2);
    expect(metrics.meanEventsPerCommit).toBe(3.5);
  });

  it('times COMMIT inside the whole group commit', async () => {
    await store.appendToStream('lead-1', [event()]);
    const { commitMs, flushMs } = store.metrics();
    // The fake clock is read at the start, around COMMIT and at the end: 1 ms in COMMIT, 3 ms in all.
    expect(commitMs).toBe(1);
    expect(flushMs).toBe(3);
  });

  it('counts an append refused for its expected revision as a conflict, and writes none of its events', async () => {
    await store.appendToStream('lead-1', [event()], 'no_stream');
    const refused = store.appendToStream('lead-1', [event(), event()], 'no_stream');
    const accepted = store.appendToStream('lead-2', [event()], 'no_stream');
    await expect(refused).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await accepted;

    expect(store.metrics()).toMatchObject({ appends: 3, events: 2, groupCommits: 2, conflicts: 1, otherFailures: 0 });
  });

  it('counts other refusals apart from conflicts, and an idempotent replay as an append that writes nothing', async () => {
    const first = [event()];
    await store.appendToStream('lead-1', first);
    await store.appendToStream('lead-1', first);
    await expect(store.appendToStream('lead-2', first)).rejects.toThrow(/already written elsewhere/);

    expect(store.metrics()).toMatchObject({ appends: 3, events: 1, conflicts: 0, otherFailures: 1 });
  });

  it('does not count an append its content checks refuse before it is queued', async () => {
    await expect(store.appendToStream('lead-1', [{ ...event(), eventId: 'not-a-uuid' }])).rejects.toThrow();
    expect(store.metrics().appends).toBe(0);
  });

  it('answers a snapshot, and starts again from zero after resetMetrics', async () => {
    await store.appendToStream('lead-1', [event()]);
    const before = store.metrics();
    store.resetMetrics();
    await store.appendToStream('lead-1', [event(), event()]);

    expect(before.events).toBe(1);
    expect(store.metrics()).toMatchObject({ appends: 1, events: 2, groupCommits: 1, maxAppendsPerCommit: 1 });
  });
});
