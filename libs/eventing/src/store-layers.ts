import type { EventStore } from './event-store.port';

/**
 * A store decorator (hash chain, encryption, upcasting) exposes the store it decorates under this key
 * (DelegatingEventStore does), and nothing else about its layers.
 */
export const DECORATED_STORE = Symbol('DECORATED_STORE');

type Decorator = EventStore & { readonly [DECORATED_STORE]: () => EventStore };

const beneath = (store: EventStore): EventStore | undefined => (store as Partial<Decorator>)[DECORATED_STORE]?.();

/** The store beneath every decorator: the adapter, with events exactly as written (for integrity checks). */
export function storedForm(store: EventStore): EventStore {
  let layer = store;
  for (let next = beneath(layer); next; next = beneath(layer)) layer = next;
  return layer;
}

/** The store `store` decorates, or undefined for an adapter. */
export function decoratedStore(store: EventStore): EventStore | undefined {
  return beneath(store);
}

/**
 * The layer of a decorated store stack that is an instance of `type`, from the outside in, or undefined.
 * For readers of an adapter's own counters (the benchmark reads `SqliteEventStore.metrics()` of the store
 * the engine built) without the engine handing out its adapter or the reader building a copy of the stack.
 */
export function findStoreLayer<T extends EventStore>(store: EventStore, type: abstract new (...args: never[]) => T): T | undefined {
  for (let layer: EventStore | undefined = store; layer; layer = beneath(layer)) {
    if (layer instanceof type) return layer;
  }
  return undefined;
}
