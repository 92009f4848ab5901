import { DomainError, DomainErrorCode, DomainEvent } from '@lead-lifecycle/domain';
import { AppendResult, EventStore, ExpectedRevision, NewEvent, StoredEvent, WrongExpectedRevisionError } from '@lead-lifecycle/event-store';
import { CommandContext } from './command-context';
import { toDomainEvent, toNewEvents } from './event-envelope';

export interface Loaded<State> {
  readonly state: State;
  /** The stream's last revision, or undefined when the stream does not exist. */
  readonly revision: bigint | undefined;
  readonly events: StoredEvent[];
}

export interface Decided<State> {
  readonly state: State;
  readonly appended: NewEvent[];
  readonly result?: AppendResult;
  readonly revision: bigint | undefined;
}

export interface AggregateDefinition<State, Event extends DomainEvent> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
}

export interface HandleOptions {
  /** Retries after a concurrency conflict before giving up with CONCURRENCY_CONFLICT. */
  readonly maxRetries?: number;
  /** Seed for deterministic event ids (reactions). */
  readonly idSeed?: string;
}

/**
 * Loads an aggregate by folding its stream, decides, and appends with the expected revision.
 * A concurrent writer makes the append fail; the command is then decided again on the fresh state.
 */
export class AggregateRepository<State, Event extends DomainEvent> {
  constructor(
    private readonly store: EventStore,
    private readonly definition: AggregateDefinition<State, Event>,
  ) {}

  async load(streamId: string, until?: (event: StoredEvent) => boolean): Promise<Loaded<State>> {
    const events = await this.store.readStream(streamId);
    let state = this.definition.initialState;
    const folded: StoredEvent[] = [];
    for (const stored of events) {
      if (until && !until(stored)) break;
      state = this.definition.evolve(state, toDomainEvent<Event>(stored));
      folded.push(stored);
    }
    const last = folded[folded.length - 1];
    return { state, revision: last?.revision, events: folded };
  }

  async handle(
    streamId: string,
    decide: (state: State, loaded: Loaded<State>) => Event[],
    context: CommandContext,
    options: HandleOptions = {},
  ): Promise<Decided<State>> {
    const maxRetries = options.maxRetries ?? 10;
    for (let attempt = 0; ; attempt++) {
      const loaded = await this.load(streamId);
      const events = decide(loaded.state, loaded);
      if (events.length === 0) return { state: loaded.state, appended: [], revision: loaded.revision };
      const expected: ExpectedRevision = loaded.revision === undefined ? 'no_stream' : loaded.revision;
      try {
        const appended = toNewEvents(events, context, options.idSeed);
        const result = await this.store.appendToStream(streamId, appended, expected);
        const state = events.reduce(this.definition.evolve, loaded.state);
        return { state, appended, result, revision: result.nextExpectedRevision };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt >= maxRetries) {
          throw new DomainError(
            DomainErrorCode.ConcurrencyConflict,
            `stream ${streamId} kept changing while the command was applied (${attempt + 1} attempts); try again`,
            { streamId },
          );
        }
        // Full-jitter exponential backoff spreads the writers that lost the race.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(250, 4 * 2 ** attempt)));
      }
    }
  }
}
