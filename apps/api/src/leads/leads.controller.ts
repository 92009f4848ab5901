import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiExtraModels, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { Clock } from '@lead-lifecycle/domain';
import {
  AdvanceLeadStageCommand,
  AsOf,
  AssignLeadCommand,
  CaptureLeadCommand,
  CLOCK,
  CommandContext,
  CSV_COLUMNS,
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
  VerifyLeadIntegrityQuery,
} from '@lead-lifecycle/lifecycle';
import { RescoreLeadCommand } from '@lead-lifecycle/lifecycle';
import { RescoreLeadDto } from './rescore-lead.dto';
import { answersCaptureBlind, CurrentPrincipal, Principal, Requires } from '@lead-lifecycle/identity';
import { idFromSeed, IdempotencySeed } from '../http/idempotency-seed.decorator';
import { RequestContext } from '../http/request-context.decorator';
import { writeReceipt } from '../http/positions';
import { ApiCommandOperation, ApiContextHeaders, ApiQueryOperation } from '../http/api-responses.decorator';
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
  AdvanceLeadStageDto,
} from './lead.dto';
import {
  CaptureAcceptedResponse,
  HistoryEntryResponse,
  LeadCommandResponse,
  LeadHistoryResponse,
  LeadIntegrityResponse,
  LeadRecapturedResponse,
  LeadResponse,
  OpportunityOpenedResponse,
} from './lead.responses';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('leads')
@ApiContextHeaders()
@ApiExtraModels(LeadHistoryResponse, HistoryEntryResponse)
@Controller('v1/leads')
export class LeadsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @Requires('lead:capture')
  @ApiCommandOperation({
    summary: 'Capture a lead (201), or record the capture on the lead it duplicates (200)',
    description: 'A capture whose email, phone or external id already belongs to a lead of the tenant is recorded on that lead (LeadRecaptured).',
    success: [
      { status: 201, type: LeadCommandResponse, description: 'a new lead' },
      { status: 200, type: LeadRecapturedResponse, description: 'the capture matched an existing lead; recorded on it' },
      { status: 202, type: CaptureAcceptedResponse, description: 'for a caller that may not read leads (role `capture`): recorded, new or not, and nothing more said' },
    ],
  })
  async capture(
    @Body() body: CaptureLeadDto,
    @RequestContext() ctx: CommandContext,
    @Res({ passthrough: true }) res: Response,
    @IdempotencySeed() seed: string | undefined,
    @CurrentPrincipal() principal: Principal,
  ) {
    const options = seed ? { leadId: idFromSeed('lead', seed) } : {};
    const result = await this.commands.execute(new CaptureLeadCommand({ ...body, occurredAt: body.occurredAt ?? this.now() }, ctx, options));
    // A caller that may not read leads (a public web form) learns neither the lead id nor whether the person was known.
    if (answersCaptureBlind(principal)) {
      res.status(202);
      return { accepted: true };
    }
    res.status(result.deduplicated ? 200 : 201);
    return { leadId: result.leadId, ...(result.deduplicated ? { deduplicated: true } : {}), ...writeReceipt(result) };
  }

  @Post(':id/activities')
  @Requires('lead:engage')
  @HttpCode(200)
  @ApiCommandOperation({
    summary: 'Record an engagement activity; rescoring and MQL qualification follow',
    subject: 'lead',
    success: [{ status: 200, type: LeadCommandResponse, description: 'recorded; `events` says whether the score changed and the lead became an MQL' }],
  })
  async activity(@Param('id', uuid) id: string, @Body() body: RecordActivityDto, @RequestContext() ctx: CommandContext) {
    const input = { activityType: body.type, properties: body.properties, occurredAt: body.occurredAt ?? this.now() };
    return { leadId: id, ...writeReceipt(await this.commands.execute(new RecordEngagementCommand(id, input, ctx))) };
  }

  @Post(':id/sql')
  @Requires('lead:promote')
  @HttpCode(200)
  @ApiCommandOperation({
    summary: 'Promote an MQL to SQL with a BANT assessment',
    subject: 'lead',
    success: [{ status: 200, type: LeadCommandResponse, description: 'promoted' }],
  })
  async promote(@Param('id', uuid) id: string, @Body() body: PromoteToSqlDto, @RequestContext() ctx: CommandContext) {
    const input = { bant: body.bant, qualifiedBy: body.qualifiedBy, occurredAt: body.occurredAt ?? this.now() };
    return { leadId: id, ...writeReceipt(await this.commands.execute(new PromoteToSqlCommand(id, input, ctx))) };
  }

  @Post(':id/assign')
  @Requires('lead:assign')
  @HttpCode(200)
  @ApiCommandOperation({
    summary: 'Assign the lead to an owner',
    subject: 'lead',
    success: [{ status: 200, type: LeadCommandResponse, description: 'assigned (`events` is empty when it already had that owner)' }],
  })
  async assign(@Param('id', uuid) id: string, @Body() body: AssignLeadDto, @RequestContext() ctx: CommandContext) {
    const input = { ownerId: body.ownerId, occurredAt: this.now() };
    return { leadId: id, ...writeReceipt(await this.commands.execute(new AssignLeadCommand(id, input, ctx))) };
  }

  @Post(':id/disqualify')
  @Requires('lead:disqualify')
  @HttpCode(200)
  @ApiCommandOperation({
    summary: 'Disqualify the lead, with a reason',
    subject: 'lead',
    success: [{ status: 200, type: LeadCommandResponse, description: 'disqualified' }],
  })
  async disqualify(@Param('id', uuid) id: string, @Body() body: DisqualifyLeadDto, @RequestContext() ctx: CommandContext) {
    const input = { reason: body.reason, note: body.note, occurredAt: this.now() };
    return { leadId: id, ...writeReceipt(await this.commands.execute(new DisqualifyLeadCommand(id, input, ctx))) };
  }

  @Post(':id/recycle')
  @Requires('lead:recycle')
  @HttpCode(200)
  @ApiCommandOperation({
    summary: 'Recycle the lead into nurturing',
    subject: 'lead',
    success: [{ status: 200, type: LeadCommandResponse, description: 'in nurturing' }],
  })
  async recycle(@Param('id', uuid) id: string, @Body() body: RecycleLeadDto, @RequestContext() ctx: CommandContext) {
    const input = { reason: body.reason, occurredAt: this.now() };
    return { leadId: id, ...writeReceipt(await this.commands.execute(new RecycleLeadCommand(id, input, ctx))) };
  }

  @Post(':id/stage')
  @Requires('lead:promote')
  @HttpCode(200)
  @ApiCommandOperation({
    summary: 'Advance the lead one stage through the configured stages before lead and after customer',
    description: 'Forward only, one stage at a time (lifecycle configuration `stages`); any other move is refused (409).',
    subject: 'lead',
    success: [{ status: 200, type: LeadCommandResponse, description: 'advanced (`events` is empty when it already was in that stage)' }],
  })
  async advanceStage(@Param('id', uuid) id: string, @Body() body: AdvanceLeadStageDto, @RequestContext() ctx: CommandContext) {
    const input = { to: body.stage, occurredAt: this.now() };
    return { leadId: id, ...writeReceipt(await this.commands.execute(new AdvanceLeadStageCommand(id, input, ctx))) };
  }

  @Post(':id/opportunities')
  @Requires('opportunity:write')
  @ApiCommandOperation({
    summary: 'Open an opportunity for an SQL lead',
    description: 'The opportunity stream is written by the opportunity reaction; `position` covers it.',
    subject: 'lead',
    success: [{ status: 201, type: OpportunityOpenedResponse, description: 'opened' }],
  })
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
  @Requires('lead:forget')
  @HttpCode(200)
  @ApiCommandOperation({
    summary: "Erase the lead's personal data (crypto-shredding); stages, scores and history stay",
    subject: 'lead',
    success: [{ status: 200, type: LeadCommandResponse, description: 'erased (`events` is empty when it already was)' }],
  })
  async forget(@Param('id', uuid) id: string, @Body() body: ForgetLeadDto, @RequestContext() ctx: CommandContext) {
    const input = { reason: body.reason, occurredAt: this.now() };
    return { leadId: id, ...writeReceipt(await this.commands.execute(new ForgetLeadCommand(id, input, ctx))) };
  }

  @Get(':id')
  @Requires('lead:read')
  @ApiQueryOperation({
    summary: 'The lead now, or as of a past time (asOf, asOfTime) or stream revision',
    subject: 'lead',
    success: { status: 200, type: LeadResponse, description: 'the lead' },
  })
  get(@Param('id', uuid) id: string, @Query() query: LeadQueryDto, @RequestContext() ctx: CommandContext) {
    return this.queries.execute(new GetLeadQuery(ctx.tenantId, id, asOfOf(query), ctx.ownerScope));
  }

  @Get(':id/history')
  @Requires('lead:history')
  @ApiQueryOperation({
    summary: "The lead's events and those of its opportunities, in global order, with what each changed; format json, ndjson or csv",
    description:
      'The answer\'s type follows `format`: `json` (default) the object below, `ndjson` one HistoryEntryResponse per line, ' +
      '`csv` a header row and one row per event (RFC 4180; a cell starting with =, +, -, @, tab or CR is prefixed with \' and quoted).',
    subject: 'lead',
    success: {
      status: 200,
      description: 'the history, in the requested format',
      content: {
        'application/json': { schema: { $ref: getSchemaPath(LeadHistoryResponse) } },
        'application/x-ndjson': {
          schema: { type: 'string', description: 'one JSON HistoryEntryResponse per line, each line ending with \\n' },
          // Not an OpenAPI 3.0 keyword (3.2 has itemSchema): the schema of each line, for tools and the contract test.
          'x-line-schema': { $ref: getSchemaPath(HistoryEntryResponse) },
        } as never,
        'text/csv': {
          schema: { type: 'string', description: `header row \`${CSV_COLUMNS.join(',')}\`, then one row per event` },
        },
      },
      headers: {
        'Content-Disposition': {
          description: 'for csv: `attachment; filename="lead-<id>-history.csv"`',
          schema: { type: 'string' },
        },
      },
    },
  })
  async history(
    @Param('id', uuid) id: string,
    @Query() query: HistoryQueryDto,
    @RequestContext() ctx: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const history = await this.queries.execute(new GetLeadHistoryQuery(ctx.tenantId, id, ctx.ownerScope));
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

  @Get(':id/integrity')
  @Requires('lead:history')
  @ApiQueryOperation({
    summary: "The hash chain of the lead's streams, recomputed from the events as stored (as `npm run audit -- verify --lead`)",
    description:
      'Every event of the lead and of its opportunities is hashed again from the bytes the store holds, beneath every decorator, ' +
      'and checked against its seal and the seal before it. `ok` is true when every stream is verified; otherwise `broken` names ' +
      'the first link that does not hold in each broken stream, and `unsealed` the streams with events written before the chain existed.',
    subject: 'lead',
    success: { status: 200, type: LeadIntegrityResponse, description: 'the verification of the lead' },
  })
  integrity(@Param('id', uuid) id: string, @RequestContext() ctx: CommandContext) {
    return this.queries.execute(new VerifyLeadIntegrityQuery(ctx.tenantId, id, ctx.ownerScope));
  }

  @Post(':id/rescore')
  @Requires('lead:rescore')
  @HttpCode(200)
  @ApiCommandOperation({
    summary: 'Rescore the lead now and record the score even when it did not move: the repair that releases a lead quarantined by the scoring projection',
    subject: 'lead',
    success: [{ status: 200, type: LeadCommandResponse, description: 'rescored' }],
  })
  async rescore(@Param('id', uuid) id: string, @Body() body: RescoreLeadDto, @RequestContext() ctx: CommandContext) {
    const input = { occurredAt: this.now(), force: true, reason: body.reason };
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
