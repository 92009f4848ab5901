import { CHANNELS } from './channels';
import { array, either, number, oneOf, optional, type SchemaType, strictObject, string } from './config-schema';

/** Where routing happens in the lifecycle: when a lead is captured, qualifies as an MQL, or is promoted to SQL. */
export const ROUTING_TRIGGERS = ['capture', 'mql', 'sql'] as const;
export type RoutingTrigger = (typeof ROUTING_TRIGGERS)[number];

/** Team and rule ids: slugs the caller chooses, so configuration can name them. */
export const SLUG = { regex: /^[a-z0-9][a-z0-9_-]{0,63}$/, message: 'must be a slug: lower-case letters, digits, - or _, at most 64' };

const ROUTING_CONDITION = strictObject({
  channel: optional(oneOf(CHANNELS)),
  campaign: optional(string()),
  /** ISO 3166 alpha-2, upper-case. */
  country: optional(string({ regex: /^[A-Z]{2}$/, message: 'must be an upper-case ISO 3166 alpha-2 code' })),
  /** Lower-case, as the fit rules write it. */
  industry: optional(string()),
  companySize: optional(strictObject({ min: optional(number({ min: 0 })), max: optional(number({ min: 0 })) })),
  temperature: optional(oneOf(['cold', 'warm', 'hot'] as const)),
  minScore: optional(number()),
});
export type RoutingCondition = SchemaType<typeof ROUTING_CONDITION>;

const ASSIGN_TO_OWNER = strictObject({ ownerId: string({ regex: /^\S{1,128}$/, message: 'must be 1 to 128 characters without spaces' }) });
const ASSIGN_TO_TEAM = strictObject({
  teamId: string(SLUG),
  strategy: oneOf(['round_robin', 'weighted', 'load_balanced'] as const),
});
export type RoutingTarget = SchemaType<typeof ASSIGN_TO_OWNER> | SchemaType<typeof ASSIGN_TO_TEAM>;

const ROUTING_RULE = strictObject({
  id: string(SLUG),
  /** Every condition given must hold; none given matches every lead. */
  when: ROUTING_CONDITION,
  assign: either(ASSIGN_TO_OWNER, ASSIGN_TO_TEAM, (value) => !!value && typeof value === 'object' && 'teamId' in value),
});
export type RoutingRule = SchemaType<typeof ROUTING_RULE>;

/** Routing rules: the first rule that matches assigns the lead; no match queues it. */
export const ROUTING_RULES = strictObject(
  {
    on: oneOf(ROUTING_TRIGGERS),
    rules: array(ROUTING_RULE),
  },
  (routing) => {
    const ids = routing.rules.map((rule) => rule.id);
    return new Set(ids).size === ids.length ? undefined : 'rules: every rule id must be unique';
  },
);
export type RoutingRules = SchemaType<typeof ROUTING_RULES>;

/** Routing on MQL with no rules: routing is off, every lead waits for a manual assignment (no LeadQueued is written). */
export const DEFAULT_ROUTING_RULES: RoutingRules = { on: 'mql', rules: [] };
