import {
  type AppendResult,
  DelegatingEventStore,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  StoreUnavailableError,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from '@lead-lifecycle/eventing';

/**
 * What the store does wrong:
 * - `none`: nothing, it is the real store;
 * - `unavailable`: every call fails as an unreachable database does (StoreUnavailableError, retryable);
 * - `broken`: every call throws a plain Error, a fault no layer expects;
 * - `conflicting`: every append loses a concurrency race (WrongExpectedRevisionError), reads work;
 * - `processors-stalled`: appends and stream reads work, but reading the global order fails and new
 *   subscriptions stay silent, so the projections, the reaction and the relay stop moving while commands
 *   go on (a read model that cannot catch up).
 */
export type StoreFault = 'none' | 'unavailable' | 'broken' | 'conflicting' | 'processors-stalled';

/** A test double around a real store that fails on demand, to provoke the 409, 500 and 503 answers. */
export class FaultInjectingEventStore extends DelegatingEventStore {
  fault: StoreFault = 'none';

  constructor(inner: EventStore) {
    super(inner);
  }

  private fail(operation: string): void {
    if (this.fault === 'unavailable') throw new StoreUnavailableError(`injected: the event store is unreachable (${operation})`);
    if (this.fault === 'broken') throw new Error(`injected fault in ${operation}`);
  }

  override async appendToStream(streamId: string, events: readonly NewEvent[], expectedRevision?: ExpectedRevision): Promise<AppendResult> {
    this.fail('appendToStream');
    if (this.fault === 'conflicting') throw new WrongExpectedRevisionError(streamId, String(expectedRevision ?? 'any'), 'injected');
    return this.inner.appendToStream(streamId, events, expectedRevision);
  }

  override async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    this.fail('readStream');
    return this.inner.readStream(streamId, options);
  }

  override async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    this.fail('readAll');
    if (this.fault === 'processors-stalled') throw new StoreUnavailableError('injected: the global order cannot be read');
    return this.inner.readAll(options);
  }

  override subscribeToAll(options?: SubscribeOptions): Subscription {
    if (this.fault !== 'none' && this.fault !== 'conflicting') return silentSubscription();
    return this.inner.subscribeToAll(options);
  }

  override async headPosition(): Promise<GlobalPosition> {
    this.fail('headPosition');
    return this.inner.headPosition();
  }
}

/** A subscription that delivers nothing until it is closed. */
function silentSubscription(): Subscription {
  let closed: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (closed = resolve));
  return {
    close: async () => closed(),
    // eslint-disable-next-line require-yield -- a subscription that delivers nothing: it only ends when closed
    async *[Symbol.asyncIterator]() {
      await done;
    },
  };
}
