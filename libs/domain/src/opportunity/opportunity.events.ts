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

/**
 * The opportunity stayed in `stage` since `idleSince` (when it entered the stage) for longer than the
 * stage's limit `stalledAfter` (ISO 8601, aging.stalledAfter). Appended by the aging sweeper once per
 * idle spell; its `occurredAt` is the deadline (`idleSince` + `stalledAfter`), so every instance writes
 * the same event. A stage change starts a new spell.
 */
export type OpportunityStalled = DomainEvent<
  'OpportunityStalled',
  { opportunityId: string; leadId: string; stage: string; idleSince: string; stalledAfter: string; occurredAt: string }
>;

export type OpportunityEvent = OpportunityOpened | OpportunityStageChanged | OpportunityWon | OpportunityLost | OpportunityStalled;
export type OpportunityEventType = OpportunityEvent['type'];

export const OPPORTUNITY_EVENT_TYPES: readonly OpportunityEventType[] = [
  'OpportunityOpened',
  'OpportunityStageChanged',
  'OpportunityWon',
  'OpportunityLost',
  'OpportunityStalled',
];

/** Every opportunity's stream id starts with this: `opportunity-<opportunityId>`. */
export const OPPORTUNITY_STREAM_PREFIX = 'opportunity-';
export const opportunityStreamId = (opportunityId: string) => `${OPPORTUNITY_STREAM_PREFIX}${opportunityId}`;
