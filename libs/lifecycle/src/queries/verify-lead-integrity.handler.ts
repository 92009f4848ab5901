import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { leadStreamId } from '@lead-lifecycle/domain';
import { type EventStore, type IntegrityReport, verifyIntegrity } from '@lead-lifecycle/eventing';
import type { OwnerScope } from '../infrastructure/command-context';
import { EVENT_STORE } from '../lifecycle.tokens';
import { opportunityStreamsOf, readVisibleLead } from './lead-history';

/** The hash chain of one lead's streams (its own and its opportunities'), recomputed from the events as stored. */
export interface LeadIntegrity extends IntegrityReport {
  readonly leadId: string;
  /** The streams checked, the lead's first. */
  readonly streamIds: readonly string[];
}

export class VerifyLeadIntegrityQuery extends Query<LeadIntegrity> {
  constructor(
    readonly tenantId: string,
    readonly leadId: string,
    /** For an owner-scoped caller: a lead of another owner is answered as unknown. */
    readonly ownerScope?: OwnerScope,
  ) {
    super();
  }
}

/**
 * What `npm run audit -- verify --lead` answers, for one lead the caller may see: every event's hash
 * recomputed from the stored bytes beneath every decorator, and each link to the one before it.
 */
@QueryHandler(VerifyLeadIntegrityQuery)
export class VerifyLeadIntegrityHandler implements IQueryHandler<VerifyLeadIntegrityQuery, LeadIntegrity> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ tenantId, leadId, ownerScope }: VerifyLeadIntegrityQuery): Promise<LeadIntegrity> {
    const own = await readVisibleLead(this.store, leadId, tenantId, ownerScope);
    const streamIds = [leadStreamId(leadId), ...opportunityStreamsOf(own)];
    return { leadId, streamIds, ...(await verifyIntegrity(this.store, { streamIds })) };
  }
}
