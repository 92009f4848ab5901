import type { DomainEvent } from '@lead-lifecycle/domain';
import {
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  START_POSITION,
  type StoredEvent,
  type Subscription,
} from '@lead-lifecycle/eventing';
import { type AggregateDefinition, AggregateRepository, type CommandContext, type Decided, type HandleOptions, type Loaded } from '@lead-lifecycle/lifecycle';
import type { SeedAppend } from '../workload';

/** Where the generator keeps a stream's state as folded so far, and takes the state a reaction left it in. */
export interface GeneratorStreams<State> {
  get(streamId: string): { state: State; revision: bigint } | undefined;
  set(streamId: string, state: State, revision: bigint): void;
}

/**
 * An event store that writes nothing: the appends handed to it are kept, in order, for the generator to
 * take as appends of the history. Only appendToStream is meant to be called (by AggregateRepository).
 */
export class CapturingEventStore implements EventStore {
  private captured: SeedAppend[] = [];

  async appendToStream(streamId: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    if (typeof expectedRevision !== 'bigint' && expectedRevision !== 'no_stream') {
      throw new Error(`the generator's streams are appended with exact revisions, not ${expectedRevision}`);
    }
    this.captured.push({ streamId, expected: expectedRevision, events: [...events] });
    const before = expectedRevision === 'no_stream' ? -1n : expectedRevision;
    return { nextExpectedRevision: before + BigInt(events.length), position: START_POSITION };
  }

  /** The appends captured since the last call. */
  take(): SeedAppend[] {
    const taken = this.captured;
    this.captured = [];
    return taken;
  }

  readStream(): Promise<StoredEvent[]> {
    return Promise.reject(new Error('the generator folds its streams itself (GeneratorRepository.load)'));
  }

  readAll(): Promise<StoredEvent[]> {
    return Promise.reject(new Error('not a readable store'));
  }

  subscribeToAll(): Subscription {
    throw new Error('not a readable store');
  }

  headPosition(): Promise<typeof START_POSITION> {
    return Promise.resolve(START_POSITION);
  }

  async close(): Promise<void> {}
}

/**
 * The engine's AggregateRepository over the generator's streams: a stream loads as the generator folded
 * it (no read and fold of stored events), and the state after an append goes back to the generator.
 * Deciding, wrapping with toNewEvents (ids from the idSeed), the store's content checks and the expected
 * revision are the engine's own code. Its cache is off: the generator writes these streams too.
 */
export class GeneratorRepository<State, Event extends DomainEvent> extends AggregateRepository<State, Event> {
  constructor(
    store: CapturingEventStore,
    private readonly aggregate: AggregateDefinition<State, Event>,
    private readonly streams: GeneratorStreams<State>,
  ) {
    super(store, aggregate, { cachedStreams: 0 });
  }

  override async load(streamId: string): Promise<Loaded<State>> {
    const known = this.streams.get(streamId);
    return { state: known?.state ?? this.aggregate.initialState, revision: known?.revision, events: [] };
  }

  override async handle(streamId: string, decide: (state: State) => Event[], context: CommandContext, options: HandleOptions = {}): Promise<Decided<State>> {
    const decided = await super.handle(streamId, decide, context, options);
    if (decided.appended.length > 0 && decided.revision !== undefined) this.streams.set(streamId, decided.state, decided.revision);
    return decided;
  }
}
