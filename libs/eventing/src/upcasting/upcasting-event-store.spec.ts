import { randomUUID } from 'node:crypto';
import type { NewEvent, StoredEvent } from '../event-store.port';
import { HashChainingEventStore } from '../integrity/hash-chaining-event-store';
import { storedForm } from '../store-layers';
import { verifyIntegrity } from '../integrity/verify-integrity';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { UpcastingEventStore } from './upcasting-event-store';

/** A stand-in upcaster: rewrites the legacy date-only `occurredAt` to midnight UTC, in data and metadata. */
const upcast = (event: StoredEvent): StoredEvent =>
  /^\d{4}-\d{2}-\d{2}$/.test(String(event.data.occurredAt))
    ? {
        ...event,
        data: { ...event.data, occurredAt: `${event.data.occurredAt}T00:00:00.000Z` },
        metadata: { ...event.metadata, occurredAt: `${event.metadata.occurredAt}T00:00:00.000Z` },
      }
    : event;

const event = (occurredAt: string): NewEvent => ({
  eventId: randomUUID(),
  type: 'Thing',
  schemaVersion: 1,
  data: { leadId: 'L1', occurredAt },
  metadata: { tenantId: 't', occurredAt, actor: 'a', correlationId: 'c', causationId: 'd' },
});

describe('UpcastingEventStore', () => {
  let raw: SqliteEventStore;
  let chained: HashChainingEventStore;
  let store: UpcastingEventStore;
  beforeEach(async () => {
    raw = new SqliteEventStore({ filename: ':memory:' });
    chained = new HashChainingEventStore(raw, ['lead-']);
    store = new UpcastingEventStore(chained, upcast);
    // Written through the inner store, in the legacy form, as before upcasting existed.
    await chained.appendToStream('lead-1', [event('2026-02-01'), event('2026-02-02T10:00:00.000Z')], 'no_stream');
  });
  afterEach(() => store.close());

  const times = (events: StoredEvent[]) => events.map((e) => [e.data.occurredAt, e.metadata.occurredAt]);
  const expected = [
    ['2026-02-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
    ['2026-02-02T10:00:00.000Z', '2026-02-02T10:00:00.000Z'],
  ];

  it('upcasts readStream, in both directions', async () => {
    expect(times(await store.readStream('lead-1'))).toEqual(expected);
    expect(times(await store.readStream('lead-1', { direction: 'backwards' }))).toEqual([...expected].reverse());
  });

  it('upcasts readAll', async () => {
    expect(times(await store.readAll())).toEqual(expected);
  });

  it('upcasts the history and the live events of a subscription', async () => {
    const subscription = store.subscribeToAll();
    const seen: StoredEvent[] = [];
    for await (const e of subscription) {
      seen.push(e);
      if (seen.length === 2) await chained.appendToStream('lead-1', [event('2026-02-03')], 1n);
      if (seen.length === 3) break;
    }
    await subscription.close();
    expect(times(seen)).toEqual([...expected, ['2026-02-03T00:00:00.000Z', '2026-02-03T00:00:00.000Z']]);
  });

  it('never rewrites history: the stored rows keep what was written, and the chain still verifies', async () => {
    await store.appendToStream('lead-1', [event('2026-02-04')], 1n);
    expect(times(await raw.readStream('lead-1')).map(([d]) => d)).toEqual(['2026-02-01', '2026-02-02T10:00:00.000Z', '2026-02-04']);
    // beneath every decorator: the adapter itself, the rows exactly as written
    expect(storedForm(store)).toBe(raw);
    expect(await verifyIntegrity(store, { prefixes: ['lead-'] })).toMatchObject({ ok: true, verified: 1, events: 3 });
  });

  it('passes the head position through', async () => {
    expect(await store.headPosition()).toEqual(await raw.headPosition());
  });
});
