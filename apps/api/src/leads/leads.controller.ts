import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Clock } from '@lead-lifecycle/domain';
import {
  AsOf,
  AssignLeadCommand,
  CaptureLeadCommand,
  CLOCK,
  CommandContext,
  DisqualifyLeadCommand,
  ForgetLeadCommand,
  GetLeadHistoryQuery,
  GetLeadQuery,
  OpenOpportunityCommand,
  PromoteToSqlCommand,
  RecordEngagementCommand,
  RecycleLeadCommand,
  csvHeader,
  toCsvRow,
  toNdjsonLine,
} from '@lead-lifecycle/lifecycle';
import { RescoreLeadCommand } from '@lead-lifecycle/lifecycle';
import { RescoreLeadDto } from './rescore-lead.dto';
import { idFromSeed, IdempotencySeed } from '../http/idempotency-seed.decorator';
import { RequestContext } from '../http/request-context.decorator';
import { writeReceipt } from '../http/positions';
import {
  AssignLeadDto,
  CaptureLeadDto,
  DisqualifyLeadDto,
  ForgetLeadDto,
  HistoryQueryDto,
  LeadQueryDto,
  OpenOpportunityDto,
  PromoteToSqlDto,
  RecordActivityDto,
  RecycleLeadDto,
} from './lead.dto';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('leads')
@ApiHeader({ name: 'X-Tenant-Id', required: false, description: 'tenant; default "default"' })
@ApiHeader({ name: 'X-Actor', required: false, description: 'who causes the change; recorded on every event' })
@ApiHeader({ name: 'X-Correlation-Id', required: false })
@Controller('v1/leads')
export class LeadsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Capture a lead (201), or record the capture on the lead it duplicates (200)' })
  async capture(
    @Body() body: CaptureLeadDto,
    @RequestContext() ctx: CommandContext,
    @Res({ passthrough: true }) res: Response,
    @IdempotencySeed() seed: string | undefined,
  ) {
    const options = seed ? { leadId: idFromSeed('lead', seed) } : {};
    const result = await this.commands.execute(new CaptureLeadCommand({ ...body, occurredAt: body.occurredAt ?? this.now() }, ctx, options));
    res.status(result.deduplicated ? 200 : 201);
    return { leadId: result.leadId, ...(result.deduplicated ? { deduplicated: true } : {}), ...writeReceipt(result) };
  }

  @Post(':id/activities')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record an engagement activity; rescoring and MQL qualification follow' })
  async activity(@Param('id', uuid) id: string, @Body() body: RecordActivityDto, @RequestContext() ctx: CommandContext) {
    const input = { activityType: body.type, properties: body.properties, occurredAt: body.occurredAt ?? this.now() };
    return { leadId: id, ...writeReceipt(await this.commands.execute(new RecordEngagementCommand(id, input, ctx))) };
  }

  @Post(':id/sql')
  @HttpCode(200)
  @ApiOperation({ summary: 'Promote an MQL to SQL with a BANT assessment' })
  async promote(@Param('id', uuid) id: string, @Body() body: PromoteToSqlDto, @RequestContext() ctx: CommandContext) {
    const input = { bant: body.bant, qualifiedBy: body.qualifiedBy, occurredAt: body.occurredAt ?? this.now() };
    return { leadId: id, ...writeReceipt(await this.commands.execute(new PromoteToSqlCommand(id, input, ctx))) };
  }

  @Post(':id/assign')
  @HttpCode(200)
  async assign(@Param('id', uuid) id: string, @Body() body: AssignLeadDto, @RequestContext() ctx: CommandContext) {
    const input = { ownerId: body.ownerId, occurredAt: this.now() };
    return { leadId: id, ...writeReceipt(await this.commands.execute(new AssignLeadCommand(id, input, ctx))) };
  }

  @Post(':id/disqualify')
  @HttpCode(200)
  async disqualify(@Param('id', uuid) id: string, @Body() body: DisqualifyLeadDto, @RequestContext() ctx: CommandContext) {
    const input = { reason: body.reason, note: body.note, occurredAt: this.now() };
    return { leadId: id, ...writeReceipt(await this.commands.execute(new DisqualifyLeadCommand(id, input, ctx))) };
  }

  @Post(':id/recycle')
  @HttpCode(200)
  async recycle(@Param('id', uuid) id: string, @Body() body: RecycleLeadDto, @RequestContext() ctx: CommandContext) {
    const input = { reason: body.reason, occurredAt: this.now() };
    return { leadId: id, ...writeReceipt(await this.commands.execute(new RecycleLeadCommand(id, input, ctx))) };
  }

  @Post(':id/opportunities')
  @ApiOperation({ summary: 'Open an opportunity for an SQL lead' })
  async openOpportunity(
    @Param('id', uuid) id: string,
    @Body() body: OpenOpportunityDto,
    @RequestContext() ctx: CommandContext,
    @IdempotencySeed() seed: string | undefined,
  ) {
    // Every retry with the same Idempotency-Key names the same opportunity, so none mints a second one.
    const opportunityId = idFromSeed('opportunity', seed);
    const input = { ...body, opportunityId, occurredAt: this.now() };
    return { opportunityId, leadId: id, ...writeReceipt(await this.commands.execute(new OpenOpportunityCommand(id, input, ctx))) };
  }

  @Post(':id/forget')
  @HttpCode(200)
  @ApiOperation({ summary: "Erase the lead's personal data (crypto-shredding); stages, scores and history stay" })
  async forget(@Param('id', uuid) id: string, @Body() body: ForgetLeadDto, @RequestContext() ctx: CommandContext) {
    const input = { reason: body.reason, occurredAt: this.now() };
    return { leadId: id, ...writeReceipt(await this.commands.execute(new ForgetLeadCommand(id, input, ctx))) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'The lead now, or as of a past time (asOf, asOfTime) or stream revision' })
  get(@Param('id', uuid) id: string, @Query() query: LeadQueryDto, @RequestContext() ctx: CommandContext) {
    return this.queries.execute(new GetLeadQuery(ctx.tenantId, id, asOfOf(query)));
  }

  @Get(':id/history')
  @ApiOperation({ summary: "The lead's events and those of its opportunities, in global order, with what each changed; format json, ndjson or csv" })
  async history(
    @Param('id', uuid) id: string,
    @Query() query: HistoryQueryDto,
    @RequestContext() ctx: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const history = await this.queries.execute(new GetLeadHistoryQuery(ctx.tenantId, id));
    switch (query.format ?? 'json') {
      case 'json':
        return history;
      case 'ndjson':
        res.type('application/x-ndjson');
        return history.events.map(toNdjsonLine).join('');
      case 'csv':
        res.type('text/csv');
        res.setHeader('Content-Disposition', `attachment; filename="lead-${id}-history.csv"`);
        return csvHeader() + history.events.map(toCsvRow).join('');
    }
  }

  @Post(':id/rescore')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rescore the lead now and record the score even when it did not move: the repair that releases a lead quarantined by the scoring projection',
  })
  async rescore(@Param('id', uuid) id: string, @Body() _body: RescoreLeadDto, @RequestContext() ctx: CommandContext) {
    const input = { occurredAt: this.now(), force: true };
    return { leadId: id, ...writeReceipt(await this.commands.execute(new RescoreLeadCommand(id, input, ctx))) };
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}

function asOfOf(query: LeadQueryDto): AsOf | undefined {
  if (query.revision !== undefined) return { revision: BigInt(query.revision) };
  if (query.asOf === undefined) return undefined;
  return query.asOfTime === 'recorded' ? { recordedTime: query.asOf } : { businessTime: query.asOf };
}
