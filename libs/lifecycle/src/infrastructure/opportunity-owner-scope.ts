import { DomainError, DomainErrorCode, leadStreamId, opportunityStreamId } from '@lead-lifecycle/domain';
import type { OwnerScope } from './command-context';
import { type LeadRepository, type OpportunityRepository, requireOpportunityOfTenant, withinOwnerScope } from './repositories';

/**
 * For an owner-scoped caller, an opportunity is reachable only through its lead: the opportunity of a
 * lead another owner owns is answered exactly like an unknown opportunity. The lead's owner is read
 * before the command decides; an assignment racing with it is the same race as any read-then-act.
 */
export async function requireOpportunityInOwnerScope(
  opportunities: OpportunityRepository,
  leads: LeadRepository,
  context: { readonly tenantId: string; readonly ownerScope?: OwnerScope },
  opportunityId: string,
): Promise<void> {
  if (!context.ownerScope) return;
  const opportunity = requireOpportunityOfTenant((await opportunities.load(opportunityStreamId(opportunityId))).state, context.tenantId, opportunityId);
  const lead = (await leads.load(leadStreamId(opportunity.leadId))).state;
  if (lead.stage === 'none' || !withinOwnerScope(lead.ownerId, context.ownerScope)) {
    throw new DomainError(DomainErrorCode.OpportunityNotFound, `opportunity ${opportunityId} not found`, { opportunityId });
  }
}
