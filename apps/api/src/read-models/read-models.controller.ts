import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { positionFromString } from '@lead-lifecycle/event-store';
import { CommandContext } from '@lead-lifecycle/lifecycle';
import { GetFunnelQuery, GetKpisQuery, GetProjectionStatusQuery, GetTimeInStageQuery, ListLeadsQuery } from '@lead-lifecycle/projections';
import { RequestContext } from '../http/request-context.decorator';
import { CohortDto, FunnelQueryDto, LeadListQueryDto, ReadYourWritesDto } from './read-model.dto';

const position = (dto: ReadYourWritesDto) => (dto.minPosition ? positionFromString(dto.minPosition) : undefined);

@ApiTags('read models')
@ApiHeader({ name: 'X-Tenant-Id', required: false })
@Controller('v1')
export class ReadModelsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('funnel')
  @ApiOperation({ summary: 'Leads per stage (reached and current), conversion rates, for a capture cohort; both counting modes' })
  funnel(@Query() q: FunnelQueryDto, @RequestContext() ctx: CommandContext) {
    const { minPosition: _p, ...filters } = q;
    return this.queries.execute(new GetFunnelQuery({ ...filters, tenantId: ctx.tenantId, minPosition: position(q) }));
  }

  @Get('funnel/leads/:id')
  @ApiOperation({ summary: 'When the lead entered and left each stage, latest and cumulative' })
  timeInStage(@Param('id', new ParseUUIDPipe()) id: string, @Query() q: ReadYourWritesDto, @RequestContext() ctx: CommandContext) {
    return this.queries.execute(new GetTimeInStageQuery(ctx.tenantId, id, position(q)));
  }

  @Get('leads')
  @ApiOperation({ summary: 'Who to call next: leads by score or last activity, filtered, paged with a cursor' })
  leads(@Query() q: LeadListQueryDto, @RequestContext() ctx: CommandContext) {
    const { minPosition: _p, ...filters } = q;
    return this.queries.execute(new ListLeadsQuery({ ...filters, tenantId: ctx.tenantId, minPosition: position(q) }));
  }

  @Get('kpis')
  @ApiOperation({ summary: 'KPIs of a capture cohort, overall, per channel and per campaign' })
  kpis(@Query() q: CohortDto, @RequestContext() ctx: CommandContext) {
    const { minPosition: _p, ...filters } = q;
    return this.queries.execute(new GetKpisQuery({ ...filters, tenantId: ctx.tenantId, minPosition: position(q) }));
  }

  @Get('projections')
  @ApiOperation({ summary: 'Lag of every projection, reaction and relay: events and seconds behind the head' })
  projections() {
    return this.queries.execute(new GetProjectionStatusQuery());
  }
}
