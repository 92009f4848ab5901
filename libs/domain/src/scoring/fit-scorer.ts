import { DomainError, DomainErrorCode } from '../shared/domain-error';
import { type FitProfile, type Scored } from './score';

/**
 * A host's own fit scoring (LeadLifecycleModule.forRoot `scoring.fit`): called once, when a lead is
 * captured, with the lead's profile. Its points are added to the built-in fit rules' and its reasons are
 * recorded in the capture's ScoreChanged event, so replay and as-of queries read the recorded score and
 * never call the function again. It must be synchronous and pure (no I/O: a lookup belongs in the host,
 * before the capture, as data on the profile).
 */
export type FitScorer = (profile: FitProfile) => Scored;

/** The code a host plugs into the lead decider; every member is optional and the defaults are the engine's own. */
export interface LeadDecisionExtensions {
  /** Extra fit points at capture, recorded in the capture's ScoreChanged. */
  readonly fitScorer?: FitScorer;
}

/** No extensions: the engine's own behaviour. */
export const NO_LEAD_EXTENSIONS: LeadDecisionExtensions = Object.freeze({});

/** A host extension that returned something the engine cannot record (thrown at command time, nothing written). */
export class ExtensionError extends DomainError {
  constructor(
    readonly extension: string,
    problem: string,
  ) {
    super(DomainErrorCode.InvalidConfiguration, `extension ${extension}: ${problem}`, { extension, problem });
    this.name = 'ExtensionError';
  }
}

/** The host scorer's result, checked: finite points, string reasons. */
export function hostFitScore(scorer: FitScorer | undefined, profile: FitProfile): Scored {
  if (!scorer) return { points: 0, reasons: [] };
  const scored = scorer(profile);
  if (!scored || typeof scored.points !== 'number' || !Number.isFinite(scored.points)) {
    throw new ExtensionError('scoring.fit', `must return finite points (got ${JSON.stringify(scored?.points)})`);
  }
  if (!Array.isArray(scored.reasons) || scored.reasons.some((r) => typeof r !== 'string')) {
    throw new ExtensionError('scoring.fit', 'must return reasons as an array of strings');
  }
  return { points: scored.points, reasons: [...scored.reasons] };
}
