import { type DomainEvent } from '../shared/domain-event';

export type OpportunityOpened = DomainEvent<
  'OpportunityOpened',
  {
    opportunityId: string;
    leadId: string;
    tenantId: string;
    name?: string;
    amount: number;
    currency: string;
    expectedCloseDate?: string;
    stage: string;
    pipeline: string[];
    occurredAt: string;
  }
>;

export type OpportunityStageChanged = DomainEvent<
  'OpportunityStageChanged',
  { opportunityId: string; leadId: string; from: string; to: string; occurredAt: string }
>;

export type OpportunityWon = DomainEvent<
  'OpportunityWon',
  { opportunityId: string; leadId: string; amount: number; currency: string; occurredAt: string }
>;

export type OpportunityLost = DomainEvent<
  'OpportunityLost',
  { opportunityId: string; leadId: string; reason: string; note?: string; stage: string; occurredAt: string }
>;

export type OpportunityEvent = OpportunityOpened | OpportunityStageChanged | OpportunityWon | OpportunityLost;
export type OpportunityEventType = OpportunityEvent['type'];

export const OPPORTUNITY_EVENT_TYPES: readonly OpportunityEventType[] = [
  'OpportunityOpened',
  'OpportunityStageChanged',
  'OpportunityWon',
  'OpportunityLost',
];

/** Every opportunity's stream id starts with this: `opportunity-<opportunityId>`. */
export const OPPORTUNITY_STREAM_PREFIX = 'opportunity-';
export const opportunityStreamId = (opportunityId: string) => `${OPPORTUNITY_STREAM_PREFIX}${opportunityId}`;
