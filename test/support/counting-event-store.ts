import {
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
} from '@lead-lifecycle/eventing';

/** A test double around a real store that counts and records the reads of the global order. */
export class CountingEventStore implements EventStore {
  /** The options of every readAll call, in order, with the number of events it answered. */
  readonly reads: Array<{ options: ReadAllOptions; events: number }> = [];
  /** The options of every subscription opened. */
  readonly subscriptions: SubscribeOptions[] = [];

  constructor(readonly inner: EventStore) {}

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

  appendToStream(streamId: string, events: readonly NewEvent[], expectedRevision?: ExpectedRevision): Promise<AppendResult> {
    return this.inner.appendToStream(streamId, events, expectedRevision);
  }
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return this.inner.readStream(streamId, options);
  }
  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const events = await this.inner.readAll(options);
    this.reads.push({ options, events: events.length });
    return events;
  }
  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.subscriptions.push(options);
    return this.inner.subscribeToAll(options);
  }
  headPosition(): Promise<GlobalPosition> {
    return this.inner.headPosition();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
