import {
  decideLead,
  decideOpportunity,
  evolveLead,
  evolveOpportunity,
  initialLeadState,
  initialOpportunityState,
  LeadEvent,
  LeadState,
  leadStreamId,
  LifecycleConfig,
  OpportunityEvent,
  OpportunityOpenedForLead,
  OpportunityState,
  opportunityStreamId,
  OpportunityLost,
  OpportunityWon,
} from '@lead-lifecycle/domain';
import { EventMetadata, EventStore, StoredEvent } from '@lead-lifecycle/event-store';
import { AggregateRepository } from '../infrastructure/aggregate-repository';
import { CommandContext } from '../infrastructure/command-context';
import { EventProcessor } from '../processing/checkpointed-processor';

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
 * the second. It runs inline right after the command (so the response already shows both) and again
 * from the store's global order with a durable checkpoint (so a crash between the two writes is
 * repaired at restart). Both paths are idempotent: the deciders ignore what is already done, and the
 * event ids are derived from the source event.
 */
export class OpportunityLifecycleReaction implements EventProcessor {
  readonly name = 'reaction:opportunity-lifecycle';
  readonly streamPrefixes = ['lead-', 'opportunity-'];
  /** The repositories default to uncached ones on `store`; the module passes the shared, cached ones. */
  constructor(
    store: EventStore,
    private readonly config: LifecycleConfig,
    private readonly leads: AggregateRepository<LeadState, LeadEvent> = new AggregateRepository(store, {
      initialState: initialLeadState,
      evolve: evolveLead,
    }),
    private readonly opportunities: AggregateRepository<OpportunityState, OpportunityEvent> = new AggregateRepository(store, {
      initialState: initialOpportunityState,
      evolve: evolveOpportunity,
    }),
  ) {}

  async handleBatch(events: StoredEvent[]): Promise<void> {
    for (const event of events) await this.react(event);
  }

  async react(event: ReactionInput): Promise<void> {
    const context: CommandContext = {
      tenantId: event.metadata.tenantId,
      actor: `reaction:opportunity-lifecycle`,
      correlationId: event.metadata.correlationId,
      causationId: event.eventId,
    };
    switch (event.type) {
      case 'OpportunityOpenedForLead': {
        const d = event.data as OpportunityOpenedForLead['data'];
        await this.opportunities.handle(
          opportunityStreamId(d.opportunityId),
          (state) =>
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
          { ...context, command: 'OpenOpportunity' },
          { idSeed: event.eventId },
        );
        return;
      }
      case 'OpportunityWon': {
        const d = event.data as OpportunityWon['data'];
        await this.leads.handle(
          leadStreamId(d.leadId),
          (state) =>
            decideLead(
              { type: 'ConvertToCustomer', opportunityId: d.opportunityId, amount: d.amount, currency: d.currency, occurredAt: d.occurredAt },
              state,
              this.config,
            ),
          { ...context, command: 'ConvertToCustomer' },
          { idSeed: event.eventId },
        );
        return;
      }
      case 'OpportunityLost': {
        const d = event.data as OpportunityLost['data'];
        await this.leads.handle(
          leadStreamId(d.leadId),
          (state) =>
            decideLead({ type: 'RecordOpportunityLost', opportunityId: d.opportunityId, reason: d.reason, occurredAt: d.occurredAt }, state, this.config),
          { ...context, command: 'RecordOpportunityLost' },
          { idSeed: event.eventId },
        );
        return;
      }
      default:
        return;
    }
  }
}
