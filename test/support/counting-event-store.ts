import { DelegatingEventStore, type EventStore, type ReadAllOptions, type StoredEvent, type SubscribeOptions, type Subscription } from '@lead-lifecycle/eventing';

/** A test double around a real store that counts and records the reads of the global order. */
export class CountingEventStore extends DelegatingEventStore {
  /** The options of every readAll call, in order, with the number of events it answered. */
  readonly reads: Array<{ options: ReadAllOptions; events: number }> = [];
  /** The options of every subscription opened. */
  readonly subscriptions: SubscribeOptions[] = [];

  constructor(inner: EventStore) {
    super(inner);
  }

  get readAllCalls(): number {
    return this.reads.length;
  }

  /** readAll calls that answered events. */
  get batchesRead(): number {
    return this.reads.filter((r) => r.events > 0).length;
  }

  get eventsRead(): number {
    return this.reads.reduce((sum, r) => sum + r.events, 0);
  }

  override async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const events = await this.inner.readAll(options);
    this.reads.push({ options, events: events.length });
    return events;
  }

  override subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.subscriptions.push(options);
    return this.inner.subscribeToAll(options);
  }
}
