import { HashChainingEventStore } from './integrity/hash-chaining-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';
import { decoratedStore, findStoreLayer, storedForm } from './store-layers';
import { UpcastingEventStore } from './upcasting/upcasting-event-store';

describe('store layers', () => {
  const raw = new SqliteEventStore({ filename: ':memory:' });
  const chained = new HashChainingEventStore(raw, ['lead-']);
  const store = new UpcastingEventStore(chained, (e) => e);
  afterAll(() => raw.close());

  it('walks from the outside in through every decorator', () => {
    expect(decoratedStore(store)).toBe(chained);
    expect(decoratedStore(chained)).toBe(raw);
    expect(decoratedStore(raw)).toBeUndefined();
    expect(storedForm(store)).toBe(raw);
    expect(storedForm(raw)).toBe(raw);
  });

  it('finds a layer by its class, or answers undefined', () => {
    expect(findStoreLayer(store, SqliteEventStore)).toBe(raw);
    expect(findStoreLayer(store, HashChainingEventStore)).toBe(chained);
    expect(findStoreLayer(chained, UpcastingEventStore)).toBeUndefined();
  });

});
