import type { StoredEvent } from '@lead-lifecycle/eventing';

/**
 * The columns of a `lead_scores` row that one event type sets outright (the latest such event wins,
 * whatever came before): the score (ScoreChanged carries the whole score and temperature), the owner,
 * and the stage (every stage event names the stage it enters).
 * Activity times are a running maximum and the capture makes the row, so no later event repairs those.
 */
const SETS_OUTRIGHT: Readonly<Record<string, 'score' | 'owner' | 'stage'>> = {
  ScoreChanged: 'score',
  LeadAssigned: 'owner',
  QualifiedAsMQL: 'stage',
  PromotedToSQL: 'stage',
  OpportunityOpenedForLead: 'stage',
  ConvertedToCustomer: 'stage',
  LeadDisqualified: 'stage',
  LeadRecycled: 'stage',
};

/**
 * Release rule of the scoring projection: a later event that sets the same columns the skipped poison
 * event would have set makes the row whole again. So a fresh ScoreChanged (what `POST /v1/leads/:id/rescore`
 * appends) releases a lead whose ScoreChanged could not be applied.
 */
export function scoringReleases(poisonType: string, event: StoredEvent): boolean {
  const columns = SETS_OUTRIGHT[poisonType];
  return columns !== undefined && SETS_OUTRIGHT[event.type] === columns;
}
