/** Why a lead may be disqualified. Part of the public contract. */
export const DISQUALIFICATION_REASONS = [
  'no_budget',
  'no_authority',
  'no_need',
  'bad_timing',
  'competitor',
  'unresponsive',
  'invalid_contact',
  'duplicate',
  'other',
] as const;
export type DisqualificationReason = (typeof DISQUALIFICATION_REASONS)[number];
