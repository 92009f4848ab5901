import {
  AGGREGATE_STREAM_PREFIXES,
  decideLead,
  decideOpportunity,
  decodeLeadEvent,
  decodeOpportunityEvent,
  evolveLead,
  evolveOpportunity,
  initialLeadState,
  initialOpportunityState,
  type LeadEvent,
  type LeadState,
  leadStreamId,
  type LifecycleConfig,
  type OpportunityEvent,
  type OpportunityOpenedForLead,
  type OpportunityState,
  opportunityStreamId,
  type OpportunityLost,
  type OpportunityWon,
} from '@lead-lifecycle/domain';
import type { EventMetadata, EventProcessor, EventStore, GlobalPosition, StoredEvent } from '@lead-lifecycle/eventing';
import { AggregateRepository } from '../infrastructure/aggregate-repository';
import type { CommandContext } from '../infrastructure/command-context';

/** The part of an event a reaction needs; both freshly appended and stored events have it. */
export interface ReactionInput {
  readonly eventId: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: EventMetadata;
}

/**
 * Keeps a lead and its opportunities in step. A lead and an opportunity are separate streams, so one
 * command cannot write both atomically: the command writes the first stream, and this reaction writes
 * the second. Before the command writes, `preflight` decides the reaction and runs the store's checks
 * on it, so a follow-up that could never be written refuses the command instead. It runs inline right
 * after the command (so the response already shows both, and its position covers both) and again from
 * the store's global order with a durable checkpoint (so a crash between the two writes, or a failure
 * of the inline run, is repaired by it). Both paths are idempotent: the deciders ignore what is already
 * done, and the event ids are derived from the source event.
 */
export class OpportunityLifecycleReaction implements EventProcessor {
  readonly name = 'reaction:opportunity-lifecycle';
  readonly streamPrefixes = AGGREGATE_STREAM_PREFIXES;
  /** The repositories default to uncached ones on `store`; the module passes the shared, cached ones. */
  constructor(
    store: EventStore,
    private readonly config: LifecycleConfig,
    private readonly leads: AggregateRepository<LeadState, LeadEvent> = new AggregateRepository(store, {
      initialState: initialLeadState,
      evolve: evolveLead,
      decode: decodeLeadEvent,
    }),
    private readonly opportunities: AggregateRepository<OpportunityState, OpportunityEvent> = new AggregateRepository(store, {
      initialState: initialOpportunityState,
      evolve: evolveOpportunity,
      decode: decodeOpportunityEvent,
    }),
  ) {}

  async handleBatch(events: StoredEvent[]): Promise<void> {
    for (const event of events) await this.react(event);
  }

  /**
   * Writes the other stream's side of `event`. Answers what it appended (nothing when the other stream
   * already shows it), so that a command's answer can cover the reaction's events too.
   */
  async react(event: ReactionInput): Promise<ReactionWrite[]> {
    const plan = this.planOf(event);
    if (!plan) return [];
    const decided =
      plan.on === 'lead'
        ? await this.leads.handle(plan.streamId, plan.decide, plan.context, { idSeed: event.eventId })
        : await this.opportunities.handle(plan.streamId, plan.decide, plan.context, { idSeed: event.eventId });
    if (!decided.result || decided.appended.length === 0) return [];
    return [{ streamId: plan.streamId, eventTypes: decided.appended.map((e) => e.type), revision: decided.revision, position: decided.result.position }];
  }

  /**
   * Decides the reaction to `event` before `event` is written, and runs the store's checks on what it
   * would append, writing nothing: a command whose follow-up could never be written is refused whole.
   */
  async preflight(event: ReactionInput): Promise<void> {
    const plan = this.planOf(event);
    if (!plan) return;
    if (plan.on === 'lead') await this.leads.dryRun(plan.streamId, plan.decide, plan.context, { idSeed: event.eventId });
    else await this.opportunities.dryRun(plan.streamId, plan.decide, plan.context, { idSeed: event.eventId });
  }

  private planOf(event: ReactionInput): ReactionPlan | undefined {
    const context: CommandContext = {
      tenantId: event.metadata.tenantId,
      actor: `reaction:opportunity-lifecycle`,
      correlationId: event.metadata.correlationId,
      causationId: event.eventId,
    };
    switch (event.type) {
      case 'OpportunityOpenedForLead': {
        const d = event.data as OpportunityOpenedForLead['data'];
        return {
          on: 'opportunity',
          streamId: opportunityStreamId(d.opportunityId),
          decide: (state) =>
            decideOpportunity(
              {
                type: 'OpenOpportunity',
                opportunityId: d.opportunityId,
                leadId: d.leadId,
                tenantId: event.metadata.tenantId,
                name: d.name,
                amount: d.amount,
                currency: d.currency,
                expectedCloseDate: d.expectedCloseDate,
                occurredAt: d.occurredAt,
              },
              state,
              this.config,
            ),
          context: { ...context, command: 'OpenOpportunity' },
        };
      }
      case 'OpportunityWon': {
        const d = event.data as OpportunityWon['data'];
        return {
          on: 'lead',
          streamId: leadStreamId(d.leadId),
          decide: (state) =>
            decideLead(
              { type: 'ConvertToCustomer', opportunityId: d.opportunityId, amount: d.amount, currency: d.currency, occurredAt: d.occurredAt },
              state,
              this.config,
            ),
          context: { ...context, command: 'ConvertToCustomer' },
        };
      }
      case 'OpportunityLost': {
        const d = event.data as OpportunityLost['data'];
        return {
          on: 'lead',
          streamId: leadStreamId(d.leadId),
          decide: (state) =>
            decideLead({ type: 'RecordOpportunityLost', opportunityId: d.opportunityId, reason: d.reason, occurredAt: d.occurredAt }, state, this.config),
          context: { ...context, command: 'RecordOpportunityLost' },
        };
      }
      default:
        return undefined;
    }
  }
}

/** One append of the reaction: which stream, what, and where it landed in the global order. */
export interface ReactionWrite {
  readonly streamId: string;
  readonly eventTypes: string[];
  readonly revision: bigint | undefined;
  readonly position: GlobalPosition;
}

/** What the reaction to one event writes, on which stream: shared by the reaction itself and its preflight. */
type ReactionPlan =
  | { on: 'lead'; streamId: string; decide: (state: LeadState) => LeadEvent[]; context: CommandContext }
  | { on: 'opportunity'; streamId: string; decide: (state: OpportunityState) => OpportunityEvent[]; context: CommandContext };
