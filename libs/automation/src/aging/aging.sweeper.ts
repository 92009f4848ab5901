import {
  decideLead,
  decideOpportunity,
  decodeLeadEvent,
  decodeOpportunityEvent,
  DomainError,
  evolveLead,
  evolveOpportunity,
  foldLead,
  initialLeadState,
  initialOpportunityState,
  type DomainEvent,
  type LeadEvent,
  type LeadState,
  type LifecycleConfig,
  type OpportunityEvent,
  type OpportunityState,
} from '@lead-lifecycle/domain';
import { type DeadlineSweeper, type EventStore, type StoredEvent, WrongExpectedRevisionError } from '@lead-lifecycle/eventing';
import { AggregateRepository, assertStorable, type CommandContext, type Loaded, toNewEvents } from '@lead-lifecycle/lifecycle';
import { type AgingPlan, decayCanStillMove, decayIntervalOf, decayIntervalStart, decayPlan, recyclePlan, stalePlan, stallPlan } from './aging-plans';
import type { AgingWatch, AgingWatchStore } from './aging-watch.store';

/** Deadlines looked at per page, and pages per sweep (the rest waits for the next round). */
const PAGE = 200;
const PAGES_PER_SWEEP = 25;

/** The actor of every event the aging sweeper appends. */
export const AGING_ACTOR = 'reaction:aging';

/** What looking at one deadline did: events appended, and when to look again (never when absent). */
interface Outcome {
  readonly appended: number;
  readonly nextDueAt?: string;
}

/**
 * Acts on the aging deadlines due at `now` (AgingReaction keeps them). For each, it reads the stream
 * and decides from it what is due (aging-plans.ts), so a late, repeated or concurrent look decides the
 * same: the events carry the deadline as their time and ids seeded by the cause and the deadline,
 * and are appended at the revision that was read, so a second sweep or instance appends nothing new.
 */
export class AgingSweeper implements DeadlineSweeper {
  readonly name = 'aging';
  private readonly leads: AggregateRepository<LeadState, LeadEvent>;
  private readonly opportunities: AggregateRepository<OpportunityState, OpportunityEvent>;

  constructor(
    private readonly store: EventStore,
    private readonly watches: AgingWatchStore,
    private readonly config: LifecycleConfig,
    private readonly log: (message: string) => void = (m) => console.warn(m),
  ) {
    // Uncached: every look reads the stream as stored, whoever wrote it last.
    this.leads = new AggregateRepository(store, { initialState: initialLeadState, evolve: evolveLead, decode: decodeLeadEvent }, { cachedStreams: 0 });
    this.opportunities = new AggregateRepository(
      store,
      { initialState: initialOpportunityState, evolve: evolveOpportunity, decode: decodeOpportunityEvent },
      { cachedStreams: 0 },
    );
  }

  async sweep(now: Date): Promise<number> {
    const at = now.toISOString();
    let appended = 0;
    for (let page = 0; page < PAGES_PER_SWEEP; page++) {
      const due = this.watches.due(at, PAGE);
      for (const watch of due) appended += await this.lookAt(watch, at);
      if (due.length < PAGE) break;
    }
    return appended;
  }

  private async lookAt(watch: AgingWatch, now: string): Promise<number> {
    let outcome: Outcome | 'conflict';
    try {
      outcome = await this.decide(watch, now);
    } catch (error) {
      // A refusal of the domain means the stream no longer calls for it: nothing to do, ever.
      if (!(error instanceof DomainError)) throw error;
      this.log(`aging: ${watch.kind} of ${watch.streamId} dropped: ${error.message}`);
      outcome = { appended: 0 };
    }
    // Another writer appended meanwhile: the deadline stays due and is looked at again next round.
    if (outcome === 'conflict') return 0;
    this.watches.settle(watch, outcome.nextDueAt);
    return outcome.appended;
  }

  private async decide(watch: AgingWatch, now: string): Promise<Outcome | 'conflict'> {
    switch (watch.kind) {
      case 'stall': {
        const loaded = await this.opportunities.load(watch.streamId);
        const plan = stallPlan(loaded.state, this.config.aging);
        return this.act(watch, now, loaded, plan, (command, state) => decideOpportunity(command, state, this.config), ofTypes('OpportunityOpened', 'OpportunityStageChanged'));
      }
      case 'stale': {
        const loaded = await this.leads.load(watch.streamId);
        const plan = stalePlan(loaded.state, this.config);
        return this.act(watch, now, loaded, plan, (command, state) => decideLead(command, state, this.config), (e) =>
          e.type === 'QualifiedAsMQL' || (e.type === 'EngagementRecorded' && this.config.sla.touchTypes.includes(String(e.data.activityType))),
        );
      }
      case 'recycle': {
        const loaded = await this.leads.load(watch.streamId);
        const plan = recyclePlan(loaded.state, loaded.events.map(decodeLeadEvent), this.config);
        return this.act(watch, now, loaded, plan, (command, state) => decideLead(command, state, this.config), ofTypes('LeadDisqualified', 'OpportunityLostForLead'));
      }
      case 'decay':
        return this.decay(watch, now);
    }
  }

  /** Appends what `plan` calls for once it is due; looks again at the plan's deadline when it is not due yet. */
  private async act<State, Command, Event extends DomainEvent>(
    watch: AgingWatch,
    now: string,
    loaded: Loaded<State>,
    plan: AgingPlan<Command> | undefined,
    decide: (command: Command, state: State) => Event[],
    isCause: (event: StoredEvent) => boolean,
  ): Promise<Outcome | 'conflict'> {
    if (!plan) return { appended: 0 };
    if (plan.dueAt > now) return { appended: 0, nextDueAt: plan.dueAt };
    const appended = await this.append(watch, loaded, decide(plan.command, loaded.state), plan.idSeed, causeOf(loaded.events, isCause));
    return appended === 'conflict' ? appended : { appended };
  }

  /** Decay of the interval that holds `now`; looked at again at the next interval while the score can still move by a step. */
  private async decay(watch: AgingWatch, now: string): Promise<Outcome | 'conflict'> {
    const loaded = await this.leads.load(watch.streamId);
    if (loaded.state.stage === 'none') return { appended: 0 };
    const rules = this.config.aging;
    const index = decayIntervalOf(now, rules);
    const plan = decayPlan(loaded.state.leadId, index, rules);
    const events = decideLead(plan.command, loaded.state, this.config);
    const appended = await this.append(watch, loaded, events, plan.idSeed, causeOf(loaded.events, ofTypes('ScoreChanged', 'EngagementRecorded')));
    if (appended === 'conflict') return appended;
    const after = foldLead(events, loaded.state);
    return { appended, nextDueAt: decayCanStillMove(after, plan.dueAt, this.config) ? decayIntervalStart(index + 1, rules) : undefined };
  }

  private async append(watch: AgingWatch, loaded: Loaded<unknown>, events: readonly DomainEvent[], idSeed: string, causationId: string): Promise<number | 'conflict'> {
    if (events.length === 0) return 0;
    const context: CommandContext = { tenantId: watch.tenantId, actor: AGING_ACTOR, correlationId: idSeed, causationId, command: commandOf(watch) };
    const appended = toNewEvents(events, context, idSeed);
    assertStorable(this.store, watch.streamId, appended);
    try {
      // An idempotent replay (another instance appended these very ids) is answered as a success.
      await this.store.appendToStream(watch.streamId, appended, loaded.revision ?? 'no_stream');
      return appended.length;
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) return 'conflict';
      throw error;
    }
  }
}

const ofTypes =
  (...types: string[]) =>
  (event: StoredEvent) =>
    types.includes(event.type);

/** The event that started the clock: the last one of the stream that `isCause` accepts (else its last event). */
function causeOf(events: readonly StoredEvent[], isCause: (event: StoredEvent) => boolean): string {
  for (let i = events.length - 1; i >= 0; i--) if (isCause(events[i])) return events[i].eventId;
  return events[events.length - 1]?.eventId ?? '';
}

function commandOf(watch: AgingWatch): string {
  switch (watch.kind) {
    case 'stall':
      return 'MarkOpportunityStalled';
    case 'decay':
      return 'DecayScore';
    case 'stale':
    case 'recycle':
      return 'RecycleLead';
  }
}
