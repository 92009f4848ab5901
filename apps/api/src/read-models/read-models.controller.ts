import { Controller, Get, Inject, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { CONSISTENCY_TOKENS, ConsistencyTokens } from '../http/consistency-token';
import { CommandContext, GetLeadQuery, LIFECYCLE_CONFIG } from '@lead-lifecycle/lifecycle';
import { customStagesOf, type LifecycleConfig } from '@lead-lifecycle/domain';
import { Requires } from '@lead-lifecycle/identity';
import { GetFunnelQuery, GetKpisQuery, GetProjectionStatusQuery, GetTimeInStageQuery, ListLeadsQuery } from '@lead-lifecycle/projections';
import { RequestContext } from '../http/request-context.decorator';
import { ApiContextHeaders, ApiQueryOperation } from '../http/api-responses.decorator';
import { CohortDto, FunnelQueryDto, LeadListQueryDto, ReadYourWritesDto } from './read-model.dto';
import { FunnelResponse, KpiReportResponse, LeadListResponse, ProjectionStatusResponse, TimeInStageResponse } from './read-model.responses';


@ApiTags('read models')
@ApiContextHeaders()
@Controller('v1')
export class ReadModelsController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(CONSISTENCY_TOKENS) private readonly tokens: ConsistencyTokens,
    @Inject(LIFECYCLE_CONFIG) private readonly lifecycle: LifecycleConfig,
  ) {}

  /** The position a `minPosition` token of this tenant stands for (400 for any other). */
  private position(dto: ReadYourWritesDto, ctx: CommandContext) {
    return dto.minPosition ? this.tokens.read(ctx.tenantId, dto.minPosition) : undefined;
  }

  @Get('funnel')
  @Requires('readmodel:read')
  @ApiQueryOperation({
    summary: 'Leads per stage (reached and current), conversion rates, for a capture cohort; both counting modes',
    readModel: true,
    success: { status: 200, type: FunnelResponse, description: 'the funnel' },
  })
  funnel(@Query() q: FunnelQueryDto, @RequestContext() ctx: CommandContext) {
    const { minPosition: _p, ...filters } = q;
    // The host's own stages (lifecycleConfig.stages) are counted beside the built-in ones.
    return this.queries.execute(
      new GetFunnelQuery({ ...filters, tenantId: ctx.tenantId, minPosition: this.position(q, ctx) }, { stages: customStagesOf(this.lifecycle) }),
    );
  }

  @Get('funnel/leads/:id')
  @Requires('lead:read')
  @ApiQueryOperation({
    summary: 'When the lead entered and left each stage, latest and cumulative',
    subject: 'lead',
    readModel: true,
    success: { status: 200, type: TimeInStageResponse, description: 'its stages' },
  })
  async timeInStage(@Param('id', new ParseUUIDPipe()) id: string, @Query() q: ReadYourWritesDto, @RequestContext() ctx: CommandContext) {
    // The funnel keeps no owner: for an owner-scoped caller the lead itself says whether it may be seen.
    if (ctx.ownerScope) await this.queries.execute(new GetLeadQuery(ctx.tenantId, id, undefined, ctx.ownerScope));
    return this.queries.execute(new GetTimeInStageQuery(ctx.tenantId, id, this.position(q, ctx)));
  }

  @Get('leads')
  @Requires('lead:list')
  @ApiQueryOperation({
    summary: 'Who to call next: leads by score or last activity, filtered, paged with a cursor',
    readModel: true,
    success: { status: 200, type: LeadListResponse, description: 'a page of leads' },
  })
  leads(@Query() q: LeadListQueryDto, @RequestContext() ctx: CommandContext) {
    const { minPosition: _p, ...filters } = q;
    return this.queries.execute(new ListLeadsQuery({ ...filters, tenantId: ctx.tenantId, minPosition: this.position(q, ctx), visibleToOwner: ctx.ownerScope?.ownerId }));
  }

  @Get('kpis')
  @Requires('readmodel:read')
  @ApiQueryOperation({
    summary: 'KPIs of a capture cohort, overall, per channel and per campaign',
    readModel: true,
    success: { status: 200, type: KpiReportResponse, description: 'the KPIs' },
  })
  kpis(@Query() q: CohortDto, @RequestContext() ctx: CommandContext) {
    const { minPosition: _p, ...filters } = q;
    // Speed to lead counts the configured sales touches.
    return this.queries.execute(
      new GetKpisQuery({ ...filters, tenantId: ctx.tenantId, minPosition: this.position(q, ctx) }, {
        touchTypes: this.lifecycle.sla.touchTypes,
        stages: customStagesOf(this.lifecycle),
      }),
    );
  }

  @Get('projections')
  @Requires('projection:status')
  @ApiQueryOperation({
    summary: 'Lag of every projection, reaction and relay: events and seconds behind the head',
    validates: false,
    success: { status: 200, type: ProjectionStatusResponse, description: 'every processor' },
  })
  projections() {
    return this.queries.execute(new GetProjectionStatusQuery());
  }
}
