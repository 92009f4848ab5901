import { type BusinessTimeWindow } from '../shared/business-time';
import { maxMinorUnits, type MoneyRules } from '../shared/money';
import { AGING_RULES, DEFAULT_AGING_RULES } from './aging-config';
import { DEFAULT_ROUTING_RULES, ROUTING_RULES } from './routing-config';
import { DEFAULT_SLA_RULES, SLA_RULES } from './sla-config';
import { STAGES_RULES } from './stages-config';
import { array, checkAgainst, number, object, oneOf, optional, record, regexSource, type Schema, type SchemaType, string } from './config-schema';

export { CHANNELS, type Channel } from './channels';

export { DISQUALIFICATION_REASONS, type DisqualificationReason } from './disqualification-reasons';

export const BANT_CRITERIA = ['budget', 'authority', 'need', 'timeline'] as const;
export type BantCriterion = (typeof BANT_CRITERIA)[number];

const PATTERN_RULE = object({
  /** Case-insensitive regular expression. */
  pattern: regexSource(),
  points: number(),
  label: optional(string()),
});
export type PatternRule = SchemaType<typeof PATTERN_RULE>;

const RANGE_RULE = object({
  min: optional(number()),
  max: optional(number()),
  points: number(),
});
export type RangeRule = SchemaType<typeof RANGE_RULE>;

const FIT_RULES = object({
  /** Seniority from the job title; the first matching rule counts. */
  jobTitle: array(PATTERN_RULE),
  /** Company size in employees; the first matching range counts. */
  companySize: array(RANGE_RULE),
  /** Points by industry, lower-case. */
  industry: record(number()),
  /** Points by ISO 3166 alpha-2 country code, upper-case. */
  country: record(number()),
  competitorDomains: array(string()),
  competitorPoints: number(),
  freeEmailDomains: array(string()),
  freeEmailPoints: number(),
});
export type FitRules = SchemaType<typeof FIT_RULES>;

const ENGAGEMENT_RULES = object({
  /** Activity points halve every this many days. */
  halfLifeDays: number({ positive: true }),
  /** Points per activity type; the keys are the accepted activity types. */
  activities: record(number(), { minKeys: 1, minKeysMessage: 'at least one activity type is required' }),
});
export type EngagementRules = SchemaType<typeof ENGAGEMENT_RULES>;

const BANT_RULE = object({
  /** How many of the four criteria must be met. */
  minMet: number({ integer: true, min: 0, max: BANT_CRITERIA.length }),
  /** Criteria that must be among the met ones. */
  mustMeet: optional(array(oneOf(BANT_CRITERIA))),
});
export type BantRule = SchemaType<typeof BANT_RULE>;

const TIME_WINDOW: Schema<BusinessTimeWindow> = object({
  maxFutureSkewSeconds: number({ integer: true, min: 0, max: 86_400 }),
  maxBackdateDays: number({ integer: true, min: 1, max: 3_652_500 }),
});

/** Amounts beyond this would not be exact integers of minor units in the currency with the most decimals. */
const MONEY_CEILING = Math.floor(Number.MAX_SAFE_INTEGER / 10 ** maxMinorUnits());

const MONEY_RULES: Schema<MoneyRules> = object({
  maxAmount: number({ positive: true, max: MONEY_CEILING, maxMessage: `must be at most ${MONEY_CEILING}, so that every amount is an exact number of minor units` }),
});

/**
 * The lifecycle rules that a deployment may change without a fork: the one declaration of their shape,
 * their limits and the messages for wrong settings (the `LifecycleConfig` type is derived from it).
 */
export const LIFECYCLE_CONFIG_SCHEMA = object({
  scoring: object({
    fit: FIT_RULES,
    engagement: ENGAGEMENT_RULES,
    mqlThreshold: number(),
    /** Score bands: below warm is cold, from warm is warm, from hot is hot. */
    temperature: object({ warm: number(), hot: number() }, (t) => (t.warm < t.hot ? undefined : 'warm must be below hot')),
  }),
  /** A promotion passes when any one rule is satisfied. */
  bant: object({ rules: array(BANT_RULE, { minItems: 1 }) }),
  pipeline: object({
    stages: array(string({ regex: /^[a-z][a-z0-9_]*$/, message: 'must be snake_case: a lower-case letter, then letters, digits or _' }), { minItems: 1, unique: true }),
  }),
  /** Calling code used for phone numbers written without one. */
  phone: object({ defaultCountryCode: string({ regex: /^\d{1,3}$/, message: 'must be 1 to 3 digits, without + or 00' }) }),
  /** How far from now a business time given with a command may lie (see shared/business-time.ts). */
  time: TIME_WINDOW,
  /** Limits of amounts and costs (see shared/money.ts). */
  money: MONEY_RULES,
  /** Who gets a lead (see routing-config.ts). */
  routing: ROUTING_RULES,
  /** Response SLAs and sales touches (see sla-config.ts). */
  sla: SLA_RULES,
  /** Stalls, staleness, decay, re-entry and recycling (see aging-config.ts). */
  aging: AGING_RULES,
  /** The host's own stages before `lead` and after `customer` (see stages-config.ts); absent = none. */
  stages: optional(STAGES_RULES),
});

/** Rules of the lifecycle that a deployment may change without a fork. */
export type LifecycleConfig = SchemaType<typeof LIFECYCLE_CONFIG_SCHEMA>;

/** `value` as lifecycle rules, or one message per wrong setting (`scoring.mqlThreshold: must be a finite number (got "high")`). */
export function checkLifecycleConfig(value: unknown): { readonly ok: true; readonly value: LifecycleConfig } | { readonly ok: false; readonly problems: string[] } {
  return checkAgainst(LIFECYCLE_CONFIG_SCHEMA, value);
}

export type Temperature = 'cold' | 'warm' | 'hot';

/** The built-in rules; a `LIFECYCLE_CONFIG` file overrides them (and must pass LIFECYCLE_CONFIG_SCHEMA like them). */
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
  routing: DEFAULT_ROUTING_RULES,
  sla: DEFAULT_SLA_RULES,
  aging: DEFAULT_AGING_RULES,
  stages: { beforeLead: [], afterCustomer: [] },
};
