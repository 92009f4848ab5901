import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Clock } from '@lead-lifecycle/domain';
import {
  ChangeOpportunityStageCommand,
  CLOCK,
  CommandContext,
  GetOpportunityQuery,
  LoseOpportunityCommand,
  WinOpportunityCommand,
} from '@lead-lifecycle/lifecycle';
import { Requires } from '@lead-lifecycle/identity';
import { RequestContext } from '../http/request-context.decorator';
import { writeReceipt } from '../http/positions';
import { ApiCommandOperation, ApiContextHeaders, ApiQueryOperation } from '../http/api-responses.decorator';
import { ChangeStageDto, LoseOpportunityDto, WinOpportunityDto } from './opportunity.dto';
import { OpportunityCommandResponse, OpportunityResponse } from './opportunity.responses';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('opportunities')
@ApiContextHeaders()
@Controller('v1/opportunities')
export class OpportunitiesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post(':id/stage')
  @Requires('opportunity:write')
  @HttpCode(200)
  @ApiCommandOperation({
    summary: 'Move an open opportunity to another stage of its pipeline',
    subject: 'opportunity',
    success: [{ status: 200, type: OpportunityCommandResponse, description: 'moved' }],
  })
  async stage(@Param('id', uuid) id: string, @Body() body: ChangeStageDto, @RequestContext() ctx: CommandContext) {
    const input = { stage: body.stage, occurredAt: this.now() };
    return { opportunityId: id, ...writeReceipt(await this.commands.execute(new ChangeOpportunityStageCommand(id, input, ctx))) };
  }

  @Post(':id/win')
  @Requires('opportunity:write')
  @HttpCode(200)
  @ApiCommandOperation({
    summary: 'Win an open opportunity; its lead becomes a customer',
    description: 'The lead is converted by the opportunity reaction; `position` covers it.',
    subject: 'opportunity',
    success: [{ status: 200, type: OpportunityCommandResponse, description: 'won' }],
  })
  async win(@Param('id', uuid) id: string, @Body() body: WinOpportunityDto, @RequestContext() ctx: CommandContext) {
    const input = { amount: body.amount, occurredAt: this.now() };
    return { opportunityId: id, ...writeReceipt(await this.commands.execute(new WinOpportunityCommand(id, input, ctx))) };
  }

  @Post(':id/lose')
  @Requires('opportunity:write')
  @HttpCode(200)
  @ApiCommandOperation({
    summary: 'Lose an open opportunity, with a reason',
    subject: 'opportunity',
    success: [{ status: 200, type: OpportunityCommandResponse, description: 'lost' }],
  })
  async lose(@Param('id', uuid) id: string, @Body() body: LoseOpportunityDto, @RequestContext() ctx: CommandContext) {
    const input = { reason: body.reason, note: body.note, occurredAt: this.now() };
    return { opportunityId: id, ...writeReceipt(await this.commands.execute(new LoseOpportunityCommand(id, input, ctx))) };
  }

  @Get(':id')
  @Requires('opportunity:read')
  @ApiQueryOperation({ summary: 'The opportunity', subject: 'opportunity', success: { status: 200, type: OpportunityResponse, description: 'the opportunity' } })
  get(@Param('id', uuid) id: string, @RequestContext() ctx: CommandContext) {
    return this.queries.execute(new GetOpportunityQuery(ctx.tenantId, id, ctx.ownerScope));
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
