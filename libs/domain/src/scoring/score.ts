import type { LifecycleConfig, Temperature } from '../config/lifecycle-config';
import { instantOf } from '../shared/business-time';
import { DAY_MS } from '../shared/domain-event';
import { type EnrichmentResult } from '../lead/lead-enrichment';

export interface Score {
  readonly total: number;
  readonly fit: number;
  readonly engagement: number;
}

export const ZERO_SCORE: Score = Object.freeze({ total: 0, fit: 0, engagement: 0 });

export interface FitProfile {
  readonly email?: string;
  readonly jobTitle?: string;
  readonly company?: { readonly size?: number; readonly industry?: string; readonly country?: string };
  /** What the host's enrichment found at capture, for a host fit scorer (the built-in rules do not read it). */
  readonly enrichment?: EnrichmentResult;
}

export interface ScoredActivity {
  readonly type: string;
  readonly points: number;
  readonly occurredAt: string;
}

export interface Scored {
  readonly points: number;
  readonly reasons: string[];
}

const round = (n: number) => Math.round(n * 10) / 10;

/** How well a lead matches the ideal customer profile. Each rule that applies adds a reason. */
export function fitScore(profile: FitProfile, config: LifecycleConfig): Scored {
  const rules = config.scoring.fit;
  const reasons: string[] = [];
  let points = 0;
  const add = (p: number, reason: string) => {
    if (p === 0) return;
    points += p;
    reasons.push(`${reason} (${p > 0 ? '+' : ''}${p})`);
  };
  if (profile.jobTitle) {
    const rule = rules.jobTitle.find((r) => new RegExp(r.pattern, 'i').test(profile.jobTitle!));
    if (rule) add(rule.points, `job title ${rule.label ?? rule.pattern}`);
  }
  const size = profile.company?.size;
  if (size !== undefined) {
    const rule = rules.companySize.find((r) => (r.min === undefined || size >= r.min) && (r.max === undefined || size <= r.max));
    if (rule) add(rule.points, `company size ${size}`);
  }
  const industry = profile.company?.industry?.trim().toLowerCase();
  const industryPoints = industry ? pointsOf(rules.industry, industry) : undefined;
  if (industryPoints !== undefined) add(industryPoints, `industry ${industry}`);
  const country = profile.company?.country?.trim().toUpperCase();
  const countryPoints = country ? pointsOf(rules.country, country) : undefined;
  if (countryPoints !== undefined) add(countryPoints, `country ${country}`);
  const domain = profile.email?.split('@')[1];
  if (domain && rules.competitorDomains.includes(domain)) add(rules.competitorPoints, `competitor domain ${domain}`);
  else if (domain && rules.freeEmailDomains.includes(domain)) add(rules.freeEmailPoints, `free email domain ${domain}`);
  return { points, reasons };
}

/**
 * Each activity's instant, parsed once: a lead's state keeps the same activity objects from event to
 * event, and every rescore reads all of them, so parsing their times each time made scoring a lead
 * with many activities cost a parse per activity per command.
 */
const instants = new WeakMap<ScoredActivity, number>();
function instantOfActivity(activity: ScoredActivity): number {
  let ms = instants.get(activity);
  if (ms === undefined) instants.set(activity, (ms = instantOf(activity.occurredAt)));
  return ms;
}

/** Engagement as of `at`: each activity's points halve every half-life. Activities after `at` do not count. */
export function engagementScore(activities: readonly ScoredActivity[], at: string, config: LifecycleConfig): number {
  const now = instantOf(at);
  const halfLifeMs = config.scoring.engagement.halfLifeDays * DAY_MS;
  let total = 0;
  for (const activity of activities) {
    const age = now - instantOfActivity(activity);
    // Later activities do not count yet; nor does one whose time cannot be read (stored before times
    // were validated), which would otherwise turn the whole score into NaN for good.
    if (!(age >= 0)) continue;
    total += activity.points * Math.pow(0.5, age / halfLifeMs);
  }
  return round(total);
}

export function combineScore(fit: number, engagement: number): Score {
  return { total: round(fit + engagement), fit, engagement };
}

export function temperatureOf(total: number, config: LifecycleConfig): Temperature {
  const { warm, hot } = config.scoring.temperature;
  if (total >= hot) return 'hot';
  if (total >= warm) return 'warm';
  return 'cold';
}

export function activityPoints(type: string, config: LifecycleConfig): number | undefined {
  return pointsOf(config.scoring.engagement.activities, type);
}

/** Own keys only: "constructor" or "__proto__" must never score as an industry or activity. */
function pointsOf(map: Readonly<Record<string, number>>, key: string): number | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}
