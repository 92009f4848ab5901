import { DelegatingEventStore } from '../delegating-event-store';
import type { EventStore, ReadAllOptions, ReadStreamOptions, StoredEvent, SubscribeOptions, Subscription } from '../event-store.port';
import { mapSubscription } from '../map-subscription';

/** Rewrites a stored event into the form today's readers expect; returns the same object when nothing changes. */
export type Upcast = (event: StoredEvent) => StoredEvent;

/**
 * Applies `upcast` to every event read (readStream, readAll, subscribeToAll), so commands loading an
 * aggregate, projections, reactions, the Kafka relay and history all see events in today's form.
 * Appends pass through unchanged, and the store keeps what was written: history is never rewritten,
 * and integrity checks read the stored form (storedForm) beneath this decorator.
 */
export class UpcastingEventStore extends DelegatingEventStore {
  constructor(
    inner: EventStore,
    private readonly upcast: Upcast,
  ) {
    super(inner);
  }

  override async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return (await this.inner.readStream(streamId, options)).map(this.upcast);
  }

  override async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    return (await this.inner.readAll(options)).map(this.upcast);
  }

  override subscribeToAll(options?: SubscribeOptions): Subscription {
    return mapSubscription(this.inner.subscribeToAll(options), this.upcast);
  }
}
