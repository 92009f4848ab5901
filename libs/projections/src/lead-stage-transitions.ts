import { assertNever, LEAD_EVENT_TYPES, type LeadEvent, type LeadStage } from '@lead-lifecycle/domain';

/** The main stages of the funnel, in order. */
export const FUNNEL_STAGES = ['lead', 'mql', 'sql', 'opportunity', 'customer'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];
export const SIDE_STAGES = ['nurturing', 'disqualified'] as const;

/** The stage a lead event moves the lead into, or undefined when it does not change the stage. */
export function stageEnteredBy(event: LeadEvent, current: LeadStage | undefined): LeadStage | undefined {
  switch (event.type) {
    case 'LeadCaptured':
      return 'lead';
    case 'QualifiedAsMQL':
      return 'mql';
    case 'PromotedToSQL':
      return 'sql';
    case 'OpportunityOpenedForLead':
      return current === 'opportunity' ? undefined : 'opportunity';
    case 'ConvertedToCustomer':
      return 'customer';
    case 'LeadDisqualified':
      return 'disqualified';
    case 'LeadRecycled':
      return 'nurturing';
    case 'LeadRecaptured':
    case 'EngagementRecorded':
    case 'ScoreChanged':
    case 'LeadAssigned':
    case 'OpportunityLostForLead':
    case 'PersonalDataErased':
      return undefined;
    default:
      return assertNever(event, 'lead event');
  }
}

export function isLeadEvent(type: string): boolean {
  return (LEAD_EVENT_TYPES as readonly string[]).includes(type);
}
