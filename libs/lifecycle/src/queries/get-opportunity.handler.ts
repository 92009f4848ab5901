import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { opportunityStreamId } from '@lead-lifecycle/domain';
import { OpportunityRepository, requireOpportunityOfTenant } from '../infrastructure/repositories';
import { OpportunityView, opportunityView } from './lead.view';

export class GetOpportunityQuery extends Query<OpportunityView> {
  constructor(
    readonly tenantId: string,
    readonly opportunityId: string,
  ) {
    super();
  }
}

@QueryHandler(GetOpportunityQuery)
export class GetOpportunityHandler implements IQueryHandler<GetOpportunityQuery, OpportunityView> {
  constructor(private readonly opportunities: OpportunityRepository) {}

  async execute({ tenantId, opportunityId }: GetOpportunityQuery): Promise<OpportunityView> {
    const loaded = await this.opportunities.load(opportunityStreamId(opportunityId));
    return opportunityView(requireOpportunityOfTenant(loaded.state, tenantId, opportunityId), loaded.revision);
  }
}
