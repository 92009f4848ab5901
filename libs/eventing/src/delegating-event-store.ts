import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  GlobalPosition,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
} from './event-store.port';
import { validateAppend } from './event-validation';
import { DECORATED_STORE } from './store-layers';

/**
 * The base of a store decorator (hash chain, encryption, upcasting, a test double): every call goes to
 * the store it decorates unless the subclass overrides it, and the decorated store is exposed under
 * DECORATED_STORE, so integrity checks read the events as written beneath every decorator (storedForm)
 * and a reader of an adapter's own counters finds the adapter (findStoreLayer).
 */
export abstract class DelegatingEventStore implements EventStore {
  readonly [DECORATED_STORE] = (): EventStore => this.inner;

  protected constructor(protected readonly inner: EventStore) {}

  appendToStream(streamId: string, events: readonly NewEvent[], expectedRevision?: ExpectedRevision): Promise<AppendResult> {
    return this.inner.appendToStream(streamId, events, expectedRevision);
  }

  validateAppend(streamId: string, events: readonly NewEvent[]): void {
    validateAppend(this.inner, streamId, events);
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return this.inner.readStream(streamId, options);
  }

  readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    return this.inner.readAll(options);
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll(options);
  }

  headPosition(): Promise<GlobalPosition> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
