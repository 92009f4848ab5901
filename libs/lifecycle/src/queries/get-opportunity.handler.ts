import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { opportunityStreamId } from '@lead-lifecycle/domain';
import { LeadRepository, OpportunityRepository, requireOpportunityOfTenant } from '../infrastructure/repositories';
import type { OwnerScope } from '../infrastructure/command-context';
import { requireOpportunityInOwnerScope } from '../infrastructure/opportunity-owner-scope';
import { OpportunityView, opportunityView } from './lead.view';

export class GetOpportunityQuery extends Query<OpportunityView> {
  constructor(
    readonly tenantId: string,
    readonly opportunityId: string,
    /** For an owner-scoped caller: the opportunity of another owner's lead is answered as unknown. */
    readonly ownerScope?: OwnerScope,
  ) {
    super();
  }
}

@QueryHandler(GetOpportunityQuery)
export class GetOpportunityHandler implements IQueryHandler<GetOpportunityQuery, OpportunityView> {
  constructor(
    private readonly opportunities: OpportunityRepository,
    private readonly leads: LeadRepository,
  ) {}

  async execute({ tenantId, opportunityId, ownerScope }: GetOpportunityQuery): Promise<OpportunityView> {
    await requireOpportunityInOwnerScope(this.opportunities, this.leads, { tenantId, ownerScope }, opportunityId);
    const loaded = await this.opportunities.load(opportunityStreamId(opportunityId));
    return opportunityView(requireOpportunityOfTenant(loaded.state, tenantId, opportunityId), loaded.revision);
  }
}
