import { mapSubscription } from '../map-subscription';
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
} from '../event-store.port';
import { validateAppend } from '../event-validation';
import { STORED_FORM } from '../integrity/stored-form';

/** Rewrites a stored event into the form today's readers expect; returns the same object when nothing changes. */
export type Upcast = (event: StoredEvent) => StoredEvent;

/**
 * Applies `upcast` to every event read (readStream, readAll, subscribeToAll), so commands loading an
 * aggregate, projections, reactions, the Kafka relay and history all see events in today's form.
 * Appends pass through unchanged, and the store keeps what was written: history is never rewritten,
 * and integrity checks read the stored form (STORED_FORM) beneath this decorator.
 */
export class UpcastingEventStore implements EventStore {
  readonly [STORED_FORM] = (): EventStore => this.inner;

  constructor(
    /** The store this one decorates (see findStoreLayer). */
    readonly inner: EventStore,
    private readonly upcast: Upcast,
  ) {}

  appendToStream(streamId: string, events: readonly NewEvent[], expectedRevision?: ExpectedRevision): Promise<AppendResult> {
    return this.inner.appendToStream(streamId, events, expectedRevision);
  }

  validateAppend(streamId: string, events: readonly NewEvent[]): void {
    validateAppend(this.inner, streamId, events);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return (await this.inner.readStream(streamId, options)).map(this.upcast);
  }

  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    return (await this.inner.readAll(options)).map(this.upcast);
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    return mapSubscription(this.inner.subscribeToAll(options), this.upcast);
  }

  headPosition(): Promise<GlobalPosition> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
