import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { leadStreamId, opportunityStreamId } from '@lead-lifecycle/domain';
import { comparePositions, positionToString, StoredEvent } from '@lead-lifecycle/event-store';
import type { EventStore } from '@lead-lifecycle/event-store';
import { DomainError, DomainErrorCode } from '@lead-lifecycle/domain';
import { EVENT_STORE } from '../lifecycle.tokens';

export interface HistoryEntry {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly revision: number;
  readonly position: string;
  readonly data: Record<string, unknown>;
  readonly metadata: StoredEvent['metadata'];
}

export interface LeadHistory {
  readonly leadId: string;
  readonly events: HistoryEntry[];
}

export class GetLeadHistoryQuery extends Query<LeadHistory> {
  constructor(
    readonly tenantId: string,
    readonly leadId: string,
  ) {
    super();
  }
}

/** The lead's whole journey: its own events and those of its opportunities, in global order. */
@QueryHandler(GetLeadHistoryQuery)
export class GetLeadHistoryHandler implements IQueryHandler<GetLeadHistoryQuery, LeadHistory> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ tenantId, leadId }: GetLeadHistoryQuery): Promise<LeadHistory> {
    const own = await this.store.readStream(leadStreamId(leadId));
    if (own.length === 0 || own[0].metadata.tenantId !== tenantId) {
      throw new DomainError(DomainErrorCode.LeadNotFound, `lead ${leadId} not found`, { leadId });
    }
    const opportunityIds = own.filter((e) => e.type === 'OpportunityOpenedForLead').map((e) => String(e.data.opportunityId));
    const theirs = await Promise.all(opportunityIds.map((id) => this.store.readStream(opportunityStreamId(id))));
    const events = [...own, ...theirs.flat()].sort((a, b) => comparePositions(a.position, b.position));
    return {
      leadId,
      events: events.map((e) => ({
        eventId: e.eventId,
        type: e.type,
        schemaVersion: e.schemaVersion,
        streamId: e.streamId,
        revision: Number(e.revision),
        position: positionToString(e.position),
        data: e.data,
        metadata: e.metadata,
      })),
    };
  }
}
