import { DomainError, DomainErrorCode, type DomainEvent } from '@lead-lifecycle/domain';
import { type AppendResult, type EventStore, type ExpectedRevision, type NewEvent, type StoredEvent, WrongExpectedRevisionError } from '@lead-lifecycle/eventing';
import { type CommandContext } from './command-context';
import { toNewEvents } from './event-envelope';
import { assertStorable } from './storable-events';

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
  /** Reads a stored event of the stream back into a typed one (see the domain's event decoders). */
  decode(stored: StoredEvent): Event;
}

export interface RepositoryOptions {
  /**
   * Streams whose state stays in memory after a command, so the next command on them skips the read
   * and fold. Safe with several writers (a fleet, or a reaction in another process): a stale state makes
   * the append fail on its expected revision, and the command is then decided again on the stream as
   * stored; a refusal or a no-op decided on a remembered state is decided again on the stream as stored
   * too, since another writer may have moved the stream since. 0 turns the cache off.
   */
  readonly cachedStreams?: number;
}

export interface HandleOptions {
  /** Retries after a concurrency conflict before giving up with CONCURRENCY_CONFLICT. */
  readonly maxRetries?: number;
  /** Seed for deterministic event ids (reactions). */
  readonly idSeed?: string;
  /**
   * Runs on the exact events about to be appended, after the store's own checks and before the append:
   * what else the command will write (the reaction's events on another stream) is checked here, so that
   * a refusal leaves nothing behind. Throwing refuses the command.
   */
  readonly preflight?: (events: readonly NewEvent[]) => Promise<void> | void;
}

/** What a repository did since it was built (or since resetMetrics): how often its cache spared a read and fold. */
export interface RepositoryMetrics {
  /** Commands decided on a state held in memory. */
  readonly cacheHits: number;
  /** Streams read and folded (a cache miss, a retry after a conflict, a dry run or a query). */
  readonly loads: number;
  /** Events folded by those loads. */
  readonly eventsFolded: number;
  /** Streams held in memory now. */
  readonly cachedStreams: number;
}

/**
 * Loads an aggregate by folding its stream, decides, and appends with the expected revision.
 * A concurrent writer makes the append fail; the command is then decided again on the fresh state.
 */
export class AggregateRepository<State, Event extends DomainEvent> {
  private readonly cache = new Map<string, { state: State; revision: bigint }>();
  /** Commands on one stream in this process wait their turn instead of racing to a conflict. */
  private readonly turns = new Map<string, Promise<void>>();
  private readonly cacheSize: number;
  private counters = { cacheHits: 0, loads: 0, eventsFolded: 0 };

  constructor(
    private readonly store: EventStore,
    private readonly definition: AggregateDefinition<State, Event>,
    options: RepositoryOptions = {},
  ) {
    this.cacheSize = options.cachedStreams ?? 5_000;
  }

  async load(streamId: string, until?: (event: StoredEvent) => boolean): Promise<Loaded<State>> {
    const events = await this.store.readStream(streamId);
    this.counters.loads++;
    this.counters.eventsFolded += events.length;
    let state = this.definition.initialState;
    const folded: StoredEvent[] = [];
    for (const stored of events) {
      if (until && !until(stored)) break;
      state = this.definition.evolve(state, this.definition.decode(stored));
      folded.push(stored);
    }
    const last = folded[folded.length - 1];
    return { state, revision: last?.revision, events: folded };
  }

  handle(streamId: string, decide: (state: State) => Event[], context: CommandContext, options: HandleOptions = {}): Promise<Decided<State>> {
    return this.inTurn(streamId, () => this.decideAndAppend(streamId, decide, context, options));
  }

  /**
   * What `handle` would append now, decided and checked by the store, without appending: for a command
   * on another stream that must know its follow-up can be written before it writes anything itself.
   */
  async dryRun(streamId: string, decide: (state: State) => Event[], context: CommandContext, options: HandleOptions = {}): Promise<NewEvent[]> {
    const { events } = await this.decideOnLatest(streamId, decide, this.cache.get(streamId));
    const appended = toNewEvents(events, context, options.idSeed);
    if (appended.length) assertStorable(this.store, streamId, appended);
    return appended;
  }

  /**
   * `decide` on the remembered state when there is one, else on the stream as stored; a refusal on a
   * remembered state is decided again on the stream as stored, where it may not hold: another writer (an
   * instance of the fleet, a reaction in another process) may have moved the stream since.
   */
  private async decideOnLatest(
    streamId: string,
    decide: (state: State) => Event[],
    cached?: { state: State; revision: bigint },
  ): Promise<{ loaded: { state: State; revision?: bigint }; events: Event[] }> {
    if (cached) {
      try {
        return { loaded: cached, events: decide(cached.state) };
      } catch {
        this.cache.delete(streamId);
      }
    }
    const loaded = await this.load(streamId);
    return { loaded, events: decide(loaded.state) };
  }

  private async inTurn<T>(streamId: string, work: () => Promise<T>): Promise<T> {
    const before = this.turns.get(streamId) ?? Promise.resolve();
    let done!: () => void;
    const mine = before.then(() => new Promise<void>((resolve) => (done = resolve)));
    this.turns.set(streamId, mine);
    await before;
    try {
      return await work();
    } finally {
      done();
      if (this.turns.get(streamId) === mine) this.turns.delete(streamId);
    }
  }

  private async decideAndAppend(
    streamId: string,
    decide: (state: State) => Event[],
    context: CommandContext,
    options: HandleOptions,
  ): Promise<Decided<State>> {
    const maxRetries = options.maxRetries ?? 10;
    for (let attempt = 0; ; attempt++) {
      const cached = attempt === 0 ? this.cache.get(streamId) : undefined;
      if (cached) this.counters.cacheHits++;
      let { loaded, events } = await this.decideOnLatest(streamId, decide, cached);
      if (events.length === 0 && loaded === cached) {
        // Nothing to do on a remembered state may be something to do on the stream as stored.
        this.cache.delete(streamId);
        ({ loaded, events } = await this.decideOnLatest(streamId, decide));
      }
      if (events.length === 0) return { state: loaded.state, appended: [], revision: loaded.revision };
      const expected: ExpectedRevision = loaded.revision === undefined ? 'no_stream' : loaded.revision;
      const appended = toNewEvents(events, context, options.idSeed);
      // Every check that can refuse the command runs before the append: a refusal leaves nothing behind.
      assertStorable(this.store, streamId, appended);
      await options.preflight?.(appended);
      try {
        const result = await this.store.appendToStream(streamId, appended, expected);
        const state = events.reduce((s, event) => this.definition.evolve(s, event), loaded.state);
        // Remember only a fresh append: an idempotent replay answers with the original, older revision.
        if (result.nextExpectedRevision === (loaded.revision ?? -1n) + BigInt(events.length)) {
          this.remember(streamId, state, result.nextExpectedRevision);
        } else {
          this.cache.delete(streamId);
        }
        return { state, appended, result, revision: result.nextExpectedRevision };
      } catch (error) {
        this.cache.delete(streamId);
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

  metrics(): RepositoryMetrics {
    return { ...this.counters, cachedStreams: this.cache.size };
  }

  resetMetrics(): void {
    this.counters = { cacheHits: 0, loads: 0, eventsFolded: 0 };
  }

  private remember(streamId: string, state: State, revision: bigint): void {
    if (this.cacheSize <= 0) return;
    this.cache.delete(streamId);
    this.cache.set(streamId, { state, revision });
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }
}
