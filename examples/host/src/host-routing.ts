import type { HostRoutingStrategy, RoutingCandidate, RoutingRules } from '@lead-lifecycle/domain';

/** The host's sales team, which its routing rule sends every captured lead to. */
export const SALES_TEAM = 'sales';
/** Members whose id starts with this are account executives: they work the enterprise leads. */
export const ACCOUNT_EXECUTIVE_PREFIX = 'ae-';
/** From this many employees a company is an enterprise. */
export const ENTERPRISE_COMPANY_SIZE = 1000;

/**
 * The host's routing rules, the lifecycle rules' `routing`: every lead goes to the sales team when it is
 * captured, round robin among the members, unless the host's strategy chooses.
 */
export const HOST_ROUTING_RULES: RoutingRules = {
  on: 'capture',
  rules: [{ id: 'all-to-sales', when: {}, assign: { teamId: SALES_TEAM, strategy: 'round_robin' } }],
};

/**
 * The host's own routing strategy (AutomationModule.forRoot `routing.strategy`): an enterprise lead goes to
 * the eligible account executive with the fewest open leads (the first to join on a tie). Any other lead,
 * or no account executive eligible, is left to the team's configured strategy (undefined). Pure and
 * synchronous: the engine records its choice as the owner in LeadAssigned and never asks again for that
 * decision, so it may change later without changing the owners it already chose.
 */
export const hostRoutingStrategy: HostRoutingStrategy = (facts, eligible) => {
  if ((facts.lead.company?.size ?? 0) < ENTERPRISE_COMPANY_SIZE) return undefined;
  // Eligible members come in joining order, so the strict < keeps the first to join on a tie.
  const fewest = eligible
    .filter((member) => member.ownerId.startsWith(ACCOUNT_EXECUTIVE_PREFIX))
    .reduce<RoutingCandidate | undefined>((best, member) => (best === undefined || member.openLeads < best.openLeads ? member : best), undefined);
  return fewest?.ownerId;
};

/** How the host routes captured leads (HostModule.forRoot `routing`): the rules and the strategy within them. */
export interface HostRouting {
  readonly rules: RoutingRules;
  readonly strategy: HostRoutingStrategy;
}

/** The host's routing: its rules with its strategy. */
export const HOST_ROUTING: HostRouting = { rules: HOST_ROUTING_RULES, strategy: hostRoutingStrategy };
