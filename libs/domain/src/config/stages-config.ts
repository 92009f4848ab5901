import { array, optional, type SchemaType, strictObject, string } from './config-schema';

/**
 * The names a host's own stage may not take: the built-in stages, and the two places of the lead's
 * state that hold a host's stage (lead.state.ts, `before_lead` / `after_customer`), so that a stage
 * name always tells one stage.
 */
export const RESERVED_STAGE_NAMES = ['lead', 'mql', 'sql', 'opportunity', 'customer', 'nurturing', 'disqualified', 'before_lead', 'after_customer', 'none'] as const;

const STAGE_NAME = string({ regex: /^[a-z][a-z0-9_]{0,39}$/, message: 'must be a lower-case slug: a letter, then letters, digits or _, at most 40' });

/**
 * A host's own stages around the built-in funnel, each list in the order a lead goes through it: a
 * lead may be captured into a stage before `lead` and advances one stage at a time into `lead`; a
 * customer advances one stage at a time through the stages after `customer`. Forward only.
 */
export const STAGES_RULES = strictObject(
  {
    beforeLead: optional(array(STAGE_NAME)),
    afterCustomer: optional(array(STAGE_NAME)),
  },
  (stages) => {
    const names = [...(stages.beforeLead ?? []), ...(stages.afterCustomer ?? [])];
    const reserved = names.filter((name) => (RESERVED_STAGE_NAMES as readonly string[]).includes(name));
    if (reserved.length) return `${[...new Set(reserved)].join(', ')}: reserved stage name(s) (${RESERVED_STAGE_NAMES.join(', ')})`;
    const repeated = names.filter((name, i) => names.indexOf(name) !== i);
    return repeated.length ? `${[...new Set(repeated)].join(', ')}: a stage may be named only once across beforeLead and afterCustomer` : undefined;
  },
);
export type StagesRules = SchemaType<typeof STAGES_RULES>;
