import type { BusinessTimeWindow } from '../shared/business-time';
import type { MoneyRules } from '../shared/money';

/** Channels a lead can be captured from. Part of the public contract. */
export const CHANNELS = ['web_form', 'trade_show', 'social', 'seo', 'paid_ads', 'referral', 'email', 'partner', 'import', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

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

export const BANT_CRITERIA = ['budget', 'authority', 'need', 'timeline'] as const;
export type BantCriterion = (typeof BANT_CRITERIA)[number];

export interface PatternRule {
  /** Case-insensitive regular expression. */
  readonly pattern: string;
  readonly points: number;
  readonly label?: string;
}

export interface RangeRule {
  readonly min?: number;
  readonly max?: number;
  readonly points: number;
}

export interface FitRules {
  /** Seniority from the job title; the first matching rule counts. */
  readonly jobTitle: readonly PatternRule[];
  /** Company size in employees; the first matching range counts. */
  readonly companySize: readonly RangeRule[];
  /** Points by industry, lower-case. */
  readonly industry: Readonly<Record<string, number>>;
  /** Points by ISO 3166 alpha-2 country code, upper-case. */
  readonly country: Readonly<Record<string, number>>;
  readonly competitorDomains: readonly string[];
  readonly competitorPoints: number;
  readonly freeEmailDomains: readonly string[];
  readonly freeEmailPoints: number;
}

export interface EngagementRules {
  /** Activity points halve every this many days. */
  readonly halfLifeDays: number;
  /** Points per activity type; the keys are the accepted activity types. */
  readonly activities: Readonly<Record<string, number>>;
}

export interface BantRule {
  /** How many of the four criteria must be met. */
  readonly minMet: number;
  /** Criteria that must be among the met ones. */
  readonly mustMeet?: readonly BantCriterion[];
}

/** Rules of the lifecycle that a deployment may change without a fork. */
export interface LifecycleConfig {
  readonly scoring: {
    readonly fit: FitRules;
    readonly engagement: EngagementRules;
    readonly mqlThreshold: number;
    /** Score bands: below warm is cold, from warm is warm, from hot is hot. */
    readonly temperature: { readonly warm: number; readonly hot: number };
  };
  /** A promotion passes when any one rule is satisfied. */
  readonly bant: { readonly rules: readonly BantRule[] };
  readonly pipeline: { readonly stages: readonly string[] };
  /** Calling code used for phone numbers written without one. */
  readonly phone: { readonly defaultCountryCode: string };
  /** How far from now a business time given with a command may lie (see shared/business-time.ts). */
  readonly time: BusinessTimeWindow;
  /** Limits of amounts and costs (see shared/money.ts). */
  readonly money: MoneyRules;
}

export type Temperature = 'cold' | 'warm' | 'hot';

export const DEFAULT_LIFECYCLE_CONFIG: LifecycleConfig = {
  scoring: {
    fit: {
      jobTitle: [
        { pattern: '\\b(chief|ceo|cto|cfo|coo|cmo|cio|founder|owner|president|vp|vice president)\\b', points: 20, label: 'executive' },
        { pattern: '\\b(director|head of)\\b', points: 15, label: 'director' },
        { pattern: '\\b(manager|lead)\\b', points: 10, label: 'manager' },
        { pattern: '\\b(intern|student)\\b', points: -5, label: 'student' },
      ],
      companySize: [
        { min: 1000, points: 20 },
        { min: 200, max: 999, points: 15 },
        { min: 50, max: 199, points: 10 },
        { min: 1, max: 49, points: 3 },
      ],
      industry: { software: 15, saas: 15, 'financial services': 10, fintech: 10, healthcare: 8, manufacturing: 6, retail: 5 },
      country: { US: 10, CA: 8, GB: 8, DE: 8, FR: 6, NL: 6, AU: 6 },
      competitorDomains: [],
      competitorPoints: -50,
      freeEmailDomains: ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com', 'proton.me'],
      freeEmailPoints: -5,
    },
    engagement: {
      halfLifeDays: 30,
      activities: {
        email_open: 1,
        email_click: 3,
        page_view: 1,
        pricing_page_view: 10,
        content_download: 8,
        webinar_attended: 12,
        form_submit: 10,
        demo_request: 25,
        meeting_booked: 30,
        unsubscribe: -15,
        email_bounced: -10,
      },
    },
    mqlThreshold: 50,
    temperature: { warm: 30, hot: 60 },
  },
  bant: { rules: [{ minMet: 4 }, { minMet: 3, mustMeet: ['need'] }] },
  pipeline: { stages: ['qualification', 'discovery', 'proposal', 'negotiation'] },
  phone: { defaultCountryCode: '1' },
  time: { maxFutureSkewSeconds: 300, maxBackdateDays: 3650 },
  // One trillion in major units: with 3 decimals still an exact double in minor units (< 2^53).
  money: { maxAmount: 1e12 },
};
