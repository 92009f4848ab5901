import { DISQUALIFICATION_REASONS } from './disqualification-reasons';
import { array, duration, number, oneOf, optional, record, type SchemaType, strictObject, string } from './config-schema';

/** Aging and decay: what goes stale, and how old engagement cools off without any command. */
export const AGING_RULES = strictObject({
  /** Per pipeline stage, how long an opportunity may stay in it without a move before `OpportunityStalled`. Stages not named never stall. */
  stalledAfter: record(duration()),
  /** MQLs with no sales touch for this long are recycled into nurture (`LeadRecycled`, reason `stale`); absent = off. */
  recycleStaleMqlAfter: optional(duration()),
  decay: strictObject({
    /** A `ScoreChanged` (reason `decay`) is appended once the decayed score moved by at least this many points. */
    step: number({ positive: true }),
    /** How often each lead's decay is looked at: one interval is never decayed twice. */
    every: duration(),
  }),
  /** A lead in nurture requalifies as an MQL on its first engagement after this long, if its score is at or above the threshold. */
  reentryCoolOff: duration(),
  /** Leads lost or disqualified with these reasons go back to nurture after `after`; absent = off. */
  recycleClosed: optional(
    strictObject({
      after: duration(),
      lostReasons: array(string()),
      disqualificationReasons: array(oneOf(DISQUALIFICATION_REASONS)),
    }),
  ),
});
export type AgingRules = SchemaType<typeof AGING_RULES>;

/** No stalls, no recycling; decay in steps of 5 points looked at daily; re-entry after 30 days in nurture. */
export const DEFAULT_AGING_RULES: AgingRules = {
  stalledAfter: {},
  decay: { step: 5, every: 'P1D' },
  reentryCoolOff: 'P30D',
};
