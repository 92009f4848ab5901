import type { ExistingLead, RoutingCondition, RoutingRule } from '@lead-lifecycle/domain';

/** Whether every condition the rule gives holds for the lead (a rule with none matches every lead). */
export function ruleMatches(when: RoutingCondition, lead: ExistingLead): boolean {
  const company = lead.company ?? {};
  if (when.channel !== undefined && lead.source.channel !== when.channel) return false;
  if (when.campaign !== undefined && lead.source.campaign !== when.campaign) return false;
  if (when.country !== undefined && company.country?.toUpperCase() !== when.country) return false;
  if (when.industry !== undefined && company.industry?.toLowerCase() !== when.industry) return false;
  if (when.companySize !== undefined) {
    const size = company.size;
    if (size === undefined) return false;
    if (when.companySize.min !== undefined && size < when.companySize.min) return false;
    if (when.companySize.max !== undefined && size > when.companySize.max) return false;
  }
  if (when.temperature !== undefined && lead.temperature !== when.temperature) return false;
  if (when.minScore !== undefined && lead.score.total < when.minScore) return false;
  return true;
}

/** The first rule that matches the lead: first match wins. */
export function firstMatchingRule(rules: readonly RoutingRule[], lead: ExistingLead): RoutingRule | undefined {
  return rules.find((rule) => ruleMatches(rule.when, lead));
}
