import type { FitScorer } from '@lead-lifecycle/domain';

export const CLOUD_NATIVE_POINTS = 15;
export const CLOUD_NATIVE_REASON = `host: cloud-native company (+${CLOUD_NATIVE_POINTS})`;

/**
 * The host's own fit scoring, passed as forRoot `scoring.fit`: companies in its cloud-native segment
 * (by industry: the captured one, else what the enrichment found) score extra. Pure and synchronous: the
 * engine calls it once at capture and records the points and the reason in ScoreChanged; replay reads
 * them from there.
 */
export const hostFitScorer: FitScorer = (profile) => {
  const industry = profile.company?.industry ?? profile.enrichment?.attributes.industry;
  return typeof industry === 'string' && /\bcloud[- ]native\b/i.test(industry) ? { points: CLOUD_NATIVE_POINTS, reasons: [CLOUD_NATIVE_REASON] } : { points: 0, reasons: [] };
};
