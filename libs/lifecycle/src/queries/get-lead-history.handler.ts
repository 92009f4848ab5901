import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { EventStore } from '@lead-lifecycle/eventing';
import { EVENT_STORE } from '../lifecycle.tokens';
import { LeadHistory, readLeadHistory } from './lead-history';
import type { OwnerScope } from '../infrastructure/command-context';

export class GetLeadHistoryQuery extends Query<LeadHistory> {
  constructor(
    readonly tenantId: string,
    readonly leadId: string,
    /** For an owner-scoped caller: a lead of another owner is answered as unknown. */
    readonly ownerScope?: OwnerScope,
  ) {
    super();
  }
}

/** The lead's whole journey: its own events and those of its opportunities, in global order. */
@QueryHandler(GetLeadHistoryQuery)
export class GetLeadHistoryHandler implements IQueryHandler<GetLeadHistoryQuery, LeadHistory> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute({ tenantId, leadId, ownerScope }: GetLeadHistoryQuery): Promise<LeadHistory> {
    return readLeadHistory(this.store, leadId, tenantId, ownerScope);
  }
}
