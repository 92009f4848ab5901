import { BANT_CRITERIA, type BantCriterion, type LifecycleConfig } from '../config/lifecycle-config';

export interface BantCriterionAssessment {
  readonly met: boolean;
  readonly note?: string;
}

export type BantAssessment = Readonly<Record<BantCriterion, BantCriterionAssessment>>;

export interface BantVerdict {
  readonly passed: boolean;
  readonly met: BantCriterion[];
  readonly reason?: string;
}

/** Applies the configured policy: the assessment passes when any one rule is satisfied. */
export function evaluateBant(bant: BantAssessment, config: LifecycleConfig): BantVerdict {
  const met = BANT_CRITERIA.filter((c) => bant[c].met);
  const satisfied = config.bant.rules.some(
    (rule) => met.length >= rule.minMet && (rule.mustMeet ?? []).every((c) => bant[c].met),
  );
  if (satisfied) return { passed: true, met };
  const describe = config.bant.rules
    .map((r) => `${r.minMet} of 4${r.mustMeet?.length ? ` including ${r.mustMeet.join(', ')}` : ''}`)
    .join(' or ');
  const missing = BANT_CRITERIA.filter((c) => !bant[c].met);
  return { passed: false, met, reason: `BANT policy needs ${describe}; not met: ${missing.join(', ')}` };
}
