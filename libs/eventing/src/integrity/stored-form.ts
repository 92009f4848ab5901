import type { EventStore } from '../event-store.port';

/** A decorator that changes events on read (decryption) exposes the stored form under this key. */
export const STORED_FORM = Symbol('STORED_FORM');

/** The store to read for integrity checks: events exactly as written. */
export function storedForm(store: EventStore): EventStore {
  const unwrap = (store as { [STORED_FORM]?: () => EventStore })[STORED_FORM];
  return unwrap ? storedForm(unwrap()) : store;
}
