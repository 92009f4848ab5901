import { LEAD_EVENT_TYPES } from '@lead-lifecycle/domain';

// The stages and the moves between them are the domain's (libs/domain/src/lead/lead-lifecycle-moves.ts);
// the read models read them from there, and re-export them for their queries.
export { FUNNEL_STAGES, SIDE_STAGES, stageEnteredBy } from '@lead-lifecycle/domain';
export type { FunnelStage } from '@lead-lifecycle/domain';

/** Whether a stored event's type is one of the lead's events. */
export function isLeadEvent(type: string): boolean {
  return (LEAD_EVENT_TYPES as readonly string[]).includes(type);
}
