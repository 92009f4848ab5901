import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Clock, DomainError, DomainErrorCode } from '@lead-lifecycle/domain';
import { CLOCK, GlobalPosition } from '@lead-lifecycle/eventing';
import { COUNTING_MODES, FunnelGroup, FunnelOptions, FunnelQuery, StageTime } from './funnel.query';
import { CohortFilter } from './funnel.query';
import { KpiOptions, KpiReport } from './kpi.query';
import { PROJECTIONS_CONFIG } from './projections.tokens';
import { ProjectionsConfig } from './projections.config';
import { ReadModels } from './read-models';
import { InvalidCursorError, LeadListItem, LeadListQuery } from './scoring.query';

/** Every read-model query may carry the position of a write the caller wants to see. */
interface ReadYourWrites {
  readonly minPosition?: GlobalPosition;
}

/**
 * Read-model answers include quarantined leads with what their rows hold, and say how many of the
 * counted leads are quarantined (their rows miss an event the projection could not apply).
 */
export interface QuarantineCount {
  readonly quarantinedLeads: number;
}

export interface FunnelReport extends QuarantineCount {
  readonly filters: FunnelQuery;
  readonly counting: typeof COUNTING_MODES;
  readonly groups: FunnelGroup[];
}

/** A lead of the list; `quarantined` when the scoring projection holds it (its row misses an event). */
export type FlaggedLeadListItem = LeadListItem & { readonly quarantined: boolean };

export class GetFunnelQuery extends Query<FunnelReport> {
  /** `options.stages`: the host's own stages to count (the lifecycle configuration's `stages`; default none). */
  constructor(
    readonly query: FunnelQuery & ReadYourWrites,
    readonly options?: FunnelOptions,
  ) {
    super();
  }
}

export class GetTimeInStageQuery extends Query<{ leadId: string; quarantined: boolean; stages: StageTime[] }> {
  constructor(readonly tenantId: string, readonly leadId: string, readonly minPosition?: GlobalPosition) {
    super();
  }
}

export class ListLeadsQuery extends Query<{ items: FlaggedLeadListItem[]; nextCursor: string | null }> {
  constructor(readonly query: LeadListQuery & ReadYourWrites) {
    super();
  }
}

export class GetKpisQuery extends Query<KpiReport & QuarantineCount & { filters: CohortFilter }> {
  /** `options.touchTypes`: the sales touches of speed to lead (the lifecycle configuration's; default its defaults). */
  constructor(
    readonly query: CohortFilter & ReadYourWrites,
    readonly options?: KpiOptions,
  ) {
    super();
  }
}

abstract class ReadModelHandler {
  constructor(
    protected readonly readModels: ReadModels,
    @Inject(PROJECTIONS_CONFIG) protected readonly config: ProjectionsConfig,
  ) {}

  protected wait(names: Parameters<ReadModels['waitFor']>[0], position: GlobalPosition | undefined): Promise<void> {
    return this.readModels.waitFor(names, position, this.config.READ_WAIT_MAX_MS);
  }
}

@QueryHandler(GetFunnelQuery)
export class GetFunnelHandler extends ReadModelHandler implements IQueryHandler<GetFunnelQuery> {
  async execute({ query, options }: GetFunnelQuery): Promise<FunnelReport> {
    await this.wait(['funnel'], query.minPosition);
    const { minPosition: _ignored, ...filters } = query;
    const reader = this.readModels.reader;
    const [groups, quarantinedLeads] = await Promise.all([reader.funnel(filters, options), reader.quarantinedInCohort(['funnel'], filters)]);
    return { filters, counting: COUNTING_MODES, groups, quarantinedLeads };
  }
}

@QueryHandler(GetTimeInStageQuery)
export class GetTimeInStageHandler implements IQueryHandler<GetTimeInStageQuery> {
  constructor(
    private readonly readModels: ReadModels,
    @Inject(PROJECTIONS_CONFIG) private readonly config: ProjectionsConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ tenantId, leadId, minPosition }: GetTimeInStageQuery) {
    await this.readModels.waitFor(['funnel'], minPosition, this.config.READ_WAIT_MAX_MS);
    const stages = await this.readModels.reader.timeInStage(tenantId, leadId, this.clock.now());
    if (!stages) throw new DomainError(DomainErrorCode.LeadNotFound, `lead ${leadId} not found`, { leadId });
    return { leadId, quarantined: (await this.readModels.reader.quarantinedAmong('funnel', [leadId])).size > 0, stages };
  }
}

@QueryHandler(ListLeadsQuery)
export class ListLeadsHandler extends ReadModelHandler implements IQueryHandler<ListLeadsQuery> {
  async execute({ query }: ListLeadsQuery) {
    await this.wait(['scoring'], query.minPosition);
    try {
      const page = await this.readModels.reader.leadList(query);
      const held = await this.readModels.reader.quarantinedAmong('scoring', page.items.map((i) => i.leadId));
      return { items: page.items.map((i) => ({ ...i, quarantined: held.has(i.leadId) })), nextCursor: page.nextCursor };
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new DomainError(DomainErrorCode.InvalidCommand, error.message, { problems: [{ field: 'cursor', reason: error.message }] });
      throw error;
    }
  }
}

@QueryHandler(GetKpisQuery)
export class GetKpisHandler extends ReadModelHandler implements IQueryHandler<GetKpisQuery> {
  async execute({ query, options }: GetKpisQuery) {
    await this.wait(['funnel', 'kpi'], query.minPosition);
    const { minPosition: _ignored, ...filters } = query;
    const reader = this.readModels.reader;
    const [kpis, quarantinedLeads] = await Promise.all([reader.kpis(filters, options), reader.quarantinedInCohort(['funnel', 'kpi'], filters)]);
    return { filters, ...kpis, quarantinedLeads };
  }
}
