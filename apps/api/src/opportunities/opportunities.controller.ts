import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { Clock } from '@lead-lifecycle/domain';
import {
  ChangeOpportunityStageCommand,
  CLOCK,
  CommandContext,
  GetOpportunityQuery,
  LoseOpportunityCommand,
  WinOpportunityCommand,
} from '@lead-lifecycle/lifecycle';
import { RequestContext } from '../http/request-context.decorator';
import { writeReceipt } from '../http/positions';
import { ChangeStageDto, LoseOpportunityDto, WinOpportunityDto } from './opportunity.dto';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('opportunities')
@ApiHeader({ name: 'X-Tenant-Id', required: false })
@Controller('v1/opportunities')
export class OpportunitiesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post(':id/stage')
  @HttpCode(200)
  async stage(@Param('id', uuid) id: string, @Body() body: ChangeStageDto, @RequestContext() ctx: CommandContext) {
    const input = { stage: body.stage, occurredAt: this.now() };
    return { opportunityId: id, ...writeReceipt(await this.commands.execute(new ChangeOpportunityStageCommand(id, input, ctx))) };
  }

  @Post(':id/win')
  @HttpCode(200)
  async win(@Param('id', uuid) id: string, @Body() body: WinOpportunityDto, @RequestContext() ctx: CommandContext) {
    const input = { amount: body.amount, occurredAt: this.now() };
    return { opportunityId: id, ...writeReceipt(await this.commands.execute(new WinOpportunityCommand(id, input, ctx))) };
  }

  @Post(':id/lose')
  @HttpCode(200)
  async lose(@Param('id', uuid) id: string, @Body() body: LoseOpportunityDto, @RequestContext() ctx: CommandContext) {
    const input = { reason: body.reason, note: body.note, occurredAt: this.now() };
    return { opportunityId: id, ...writeReceipt(await this.commands.execute(new LoseOpportunityCommand(id, input, ctx))) };
  }

  @Get(':id')
  get(@Param('id', uuid) id: string, @RequestContext() ctx: CommandContext) {
    return this.queries.execute(new GetOpportunityQuery(ctx.tenantId, id));
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
