import type { EventStore } from './event-store.port';

/** A store that decorates another one (hash chain, encryption, upcasting): it names what it wraps. */
interface DecoratingStore extends EventStore {
  readonly inner: EventStore;
}

function decorates(store: EventStore): store is DecoratingStore {
  return typeof (store as Partial<DecoratingStore>).inner === 'object' && (store as Partial<DecoratingStore>).inner !== null;
}

/**
 * The layer of a decorated store stack that is an instance of `type`, from the outside in, or undefined.
 * For readers of an adapter's own counters (the benchmark reads `SqliteEventStore.metrics()` of the store
 * the engine built) without the engine handing out its adapter or the reader building a copy of the stack.
 */
export function findStoreLayer<T extends EventStore>(store: EventStore, type: abstract new (...args: never[]) => T): T | undefined {
  for (let layer: EventStore | undefined = store; layer; layer = decorates(layer) ? layer.inner : undefined) {
    if (layer instanceof type) return layer;
  }
  return undefined;
}
