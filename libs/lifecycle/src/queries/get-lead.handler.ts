import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { instantOf, leadStreamId } from '@lead-lifecycle/domain';
import { StoredEvent } from '@lead-lifecycle/eventing';
import { LeadRepository, requireLeadOfTenant } from '../infrastructure/repositories';
import { LeadView, leadView } from './lead.view';
import type { OwnerScope } from '../infrastructure/command-context';

/** A past moment to fold the history up to: by business time, by recorded time, or by stream revision. */
export type AsOf = { readonly businessTime: string } | { readonly recordedTime: string } | { readonly revision: bigint };

export class GetLeadQuery extends Query<LeadView> {
  constructor(
    readonly tenantId: string,
    readonly leadId: string,
    readonly asOf?: AsOf,
    /** For an owner-scoped caller: a lead of another owner is answered as unknown. */
    readonly ownerScope?: OwnerScope,
  ) {
    super();
  }
}

/**
 * Times are compared as instants read by the engine's one business-time parser (events arrive upcast,
 * so legacy forms are already normalised); an event whose time still cannot be read ends the fold.
 */
export function asOfFilter(asOf: AsOf | undefined): ((event: StoredEvent) => boolean) | undefined {
  if (!asOf) return undefined;
  if ('revision' in asOf) return (e) => e.revision <= asOf.revision;
  if ('businessTime' in asOf) {
    const at = instantOf(asOf.businessTime);
    return (e) => instantOf(e.metadata.occurredAt) <= at;
  }
  const at = instantOf(asOf.recordedTime);
  return (e) => instantOf(e.metadata.recordedAt) <= at;
}

/** Folds the lead's stream, up to `asOf` when given, with the same evolve that commands use. */
@QueryHandler(GetLeadQuery)
export class GetLeadHandler implements IQueryHandler<GetLeadQuery, LeadView> {
  constructor(private readonly leads: LeadRepository) {}

  async execute({ tenantId, leadId, asOf, ownerScope }: GetLeadQuery): Promise<LeadView> {
    // The owner is judged on the lead now, not as of: a rep may not read back a lead it no longer owns.
    if (ownerScope && asOf) requireLeadOfTenant((await this.leads.load(leadStreamId(leadId))).state, tenantId, leadId, ownerScope);
    const loaded = await this.leads.load(leadStreamId(leadId), asOfFilter(asOf));
    return leadView(requireLeadOfTenant(loaded.state, tenantId, leadId, ownerScope), loaded.revision);
  }
}
