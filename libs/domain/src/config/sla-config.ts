import { IANAZone } from 'luxon';
import { CHANNELS } from './channels';
import { array, duration, either, number, oneOf, optional, record, type Schema, type SchemaType, strictObject, string } from './config-schema';
import { SLUG } from './routing-config';

const CLOCK_TIME = { regex: /^([01]\d|2[0-3]):[0-5]\d$/, message: 'must be a time of day HH:MM (24 hours)' };

const TIME_ZONE: Schema<string> = {
  problems(value, path) {
    return typeof value === 'string' && IANAZone.isValidZone(value) ? [] : [`${path}: must be an IANA time zone such as Europe/Berlin (got ${JSON.stringify(value)})`];
  },
};

/** Business hours: the SLA clock runs only inside them, in the calendar's own time zone. */
const BUSINESS_CALENDAR = strictObject(
  {
    timeZone: TIME_ZONE,
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    days: array(number({ integer: true, min: 1, max: 7 }), { minItems: 1, unique: true }),
    hours: strictObject({ from: string(CLOCK_TIME), to: string(CLOCK_TIME) }, (h) => (h.from < h.to ? undefined : 'from must be before to')),
    /** Local dates (YYYY-MM-DD) on which the clock does not run. */
    holidays: optional(array(string({ regex: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, message: 'must be a date YYYY-MM-DD' }))),
  },
);
export type BusinessCalendar = SchemaType<typeof BUSINESS_CALENDAR>;
export type SlaCalendar = '24x7' | BusinessCalendar;

const SLA_POLICY = strictObject({
  id: string(SLUG),
  /** Every condition given must hold when the owner is assigned; the first matching policy applies. */
  when: strictObject({
    stage: optional(oneOf(['lead', 'mql', 'sql'] as const)),
    temperature: optional(oneOf(['cold', 'warm', 'hot'] as const)),
    channel: optional(oneOf(CHANNELS)),
  }),
  /** ISO 8601 duration of calendar time (business time when `calendar` has hours), e.g. PT4H, or PT30S to watch it live. */
  firstTouchWithin: duration(),
  calendar: either(oneOf(['24x7'] as const), BUSINESS_CALENDAR),
  onBreach: oneOf(['record', 'reassign'] as const),
});
export type SlaPolicy = SchemaType<typeof SLA_POLICY>;

/** Response SLAs: how fast an assigned owner must first touch a lead, and what a breach does. */
export const SLA_RULES = strictObject(
  {
    /** Activity types that count as a sales touch (recorded through the activities route, scored only if `points` names them). */
    touchTypes: array(string({ regex: /^[a-z][a-z0-9_]*$/, message: 'must be snake_case' }), { minItems: 1, unique: true }),
    /** Engagement points of sales touches; a touch type not named here carries none. */
    touchPoints: record(number()),
    /** How many times one lead may be reassigned after breaches before it waits in the queue (reason sla_exhausted). */
    maxReassignments: number({ integer: true, min: 0, max: 100 }),
    policies: array(SLA_POLICY),
  },
  (sla) => {
    const ids = sla.policies.map((policy) => policy.id);
    if (new Set(ids).size !== ids.length) return 'policies: every policy id must be unique';
    const stray = Object.keys(sla.touchPoints).find((type) => !sla.touchTypes.includes(type));
    return stray ? `touchPoints: ${stray} is not one of touchTypes` : undefined;
  },
);
export type SlaRules = SchemaType<typeof SLA_RULES>;

/** Sales touches of the usual kinds, no policies (no SLA runs until one is configured). */
export const DEFAULT_SLA_RULES: SlaRules = {
  touchTypes: ['call_logged', 'email_sent', 'meeting_held'],
  touchPoints: {},
  maxReassignments: 2,
  policies: [],
};
