import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Inject, Param, type PipeTransform, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { type Clock, OWNER_ID_PATTERN, SLUG } from '@lead-lifecycle/domain';
import { CLOCK, type CommandContext } from '@lead-lifecycle/lifecycle';
import { AuthError, Requires } from '@lead-lifecycle/identity';
import { RoutingQueries, TeamCommands } from '@lead-lifecycle/automation';
import { RequestContext } from '../http/request-context.decorator';
import { writeReceipt } from '../http/positions';
import { ApiAccessErrors, ApiCommandOperation, ApiContextHeaders, ApiQueryOperation } from '../http/api-responses.decorator';
import { ErrorResponseDto } from '../http/error-response.dto';
import { HttpErrorCode } from '../http/api-error-code';
import { httpStatusName } from '../http/http-status-name';
import { AddTeamMemberDto, CreateTeamDto, MemberAvailabilityDto } from './team.dto';
import { QueueResponse, TeamCommandResponse, TeamResponse } from './team.responses';

/** A path parameter checked against a pattern: 400 VALIDATION_FAILED naming it otherwise. */
class PatternPipe implements PipeTransform<unknown, string> {
  constructor(
    private readonly field: string,
    private readonly pattern: RegExp,
    private readonly reason: string,
  ) {}

  transform(value: unknown): string {
    if (typeof value === 'string' && this.pattern.test(value)) return value;
    throw new BadRequestException({
      statusCode: 400,
      error: httpStatusName(400),
      code: HttpErrorCode.ValidationFailed,
      message: `${this.field} ${this.reason}`,
      problems: [{ field: this.field, reason: this.reason }],
    });
  }
}

const teamIdParam = new PatternPipe('teamId', SLUG.regex, SLUG.message);
const ownerIdParam = new PatternPipe('ownerId', OWNER_ID_PATTERN, 'must be 1 to 128 characters without spaces');

const ApiTeamParam = () => ApiParam({ name: 'teamId', required: true, schema: { type: 'string', pattern: SLUG.regex.source } });
const ApiOwnerParam = () => ApiParam({ name: 'ownerId', required: true, schema: { type: 'string', pattern: OWNER_ID_PATTERN.source } });
const ApiTeamNotFound = () =>
  ApiResponse({ status: 404, type: ErrorResponseDto, description: 'TEAM_NOT_FOUND: no such team in this tenant; TEAM_MEMBER_NOT_FOUND: the owner is not a member' });

export class QueueQueryDto {
  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

/** Teams of owners that routing rules name, and the routing queue. */
@ApiTags('teams')
@ApiContextHeaders()
@Controller('v1')
export class TeamsController {
  constructor(
    private readonly teams: TeamCommands,
    private readonly routing: RoutingQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('teams')
  @Requires('team:manage')
  @ApiCommandOperation({
    summary: 'Create a team of owners',
    description: 'The team id is a slug you choose, unique in the tenant; TEAM_ALREADY_EXISTS (409) otherwise.',
    success: [{ status: 201, type: TeamCommandResponse, description: 'created' }],
  })
  async create(@Body() body: CreateTeamDto, @RequestContext() ctx: CommandContext) {
    const command = { type: 'CreateTeam' as const, teamId: body.teamId, tenantId: ctx.tenantId, name: body.name, occurredAt: this.now() };
    return { teamId: body.teamId, ...writeReceipt(await this.teams.run(body.teamId, command, ctx)) };
  }

  @Post('teams/:teamId/members')
  @Requires('team:manage')
  @HttpCode(201)
  @ApiTeamParam()
  @ApiTeamNotFound()
  @ApiCommandOperation({
    summary: 'Add an owner to a team, with its capacity (open leads at once) and weight',
    description: 'TEAM_MEMBER_ALREADY_ADDED (409) when it is a member: remove it first to change its settings.',
    success: [{ status: 201, type: TeamCommandResponse, description: 'added' }],
  })
  async addMember(@Param('teamId', teamIdParam) teamId: string, @Body() body: AddTeamMemberDto, @RequestContext() ctx: CommandContext) {
    const command = { type: 'AddTeamMember' as const, teamId, ownerId: body.ownerId, capacity: body.capacity ?? undefined, weight: body.weight ?? undefined, occurredAt: this.now() };
    return { teamId, ...writeReceipt(await this.teams.run(teamId, command, ctx)) };
  }

  @Delete('teams/:teamId/members/:ownerId')
  @Requires('team:manage')
  @HttpCode(200)
  @ApiTeamParam()
  @ApiOwnerParam()
  @ApiOperation({ summary: 'Remove an owner from a team', description: 'Routing stops choosing it, and moves the open leads it got by routing in this team to the next eligible members (`owner_unavailable`, or the queue); manual assignments stay. A refused request appends nothing.' })
  @ApiResponse({ status: 200, type: TeamCommandResponse, description: 'removed' })
  @ApiAccessErrors()
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'VALIDATION_FAILED: the path or a header is invalid' })
  @ApiTeamNotFound()
  @ApiResponse({ status: 500, type: ErrorResponseDto, description: 'INTERNAL_ERROR: a fault of the service, logged with its cause' })
  @ApiResponse({ status: 503, type: ErrorResponseDto, description: 'STORE_UNAVAILABLE: the event store cannot be reached; nothing was written, retry later' })
  async removeMember(@Param('teamId', teamIdParam) teamId: string, @Param('ownerId', ownerIdParam) ownerId: string, @RequestContext() ctx: CommandContext) {
    const command = { type: 'RemoveTeamMember' as const, teamId, ownerId, occurredAt: this.now() };
    return { teamId, ...writeReceipt(await this.teams.run(teamId, command, ctx)) };
  }

  @Post('teams/:teamId/members/:ownerId/availability')
  @Requires('team:availability')
  @HttpCode(200)
  @ApiTeamParam()
  @ApiOwnerParam()
  @ApiTeamNotFound()
  @ApiCommandOperation({
    summary: 'Mark a member away (optionally until a time) or back',
    description: 'A `rep` may change only its own availability (the ownerId of its credential); 403 FORBIDDEN otherwise. Away without `until` (indefinitely) moves its routed leads of this team to the next eligible members (`owner_unavailable`); away with `until` moves nothing. Coming back retries the queue.',
    success: [{ status: 200, type: TeamCommandResponse, description: 'recorded (`events` is empty when nothing changed)' }],
  })
  async availability(
    @Param('teamId', teamIdParam) teamId: string,
    @Param('ownerId', ownerIdParam) ownerId: string,
    @Body() body: MemberAvailabilityDto,
    @RequestContext() ctx: CommandContext,
  ) {
    if (ctx.ownerScope && ctx.ownerScope.ownerId !== ownerId) throw AuthError.forbidden('a rep may change only its own availability');
    const command = { type: 'ChangeMemberAvailability' as const, teamId, ownerId, available: body.available, until: body.until ?? undefined, occurredAt: this.now() };
    return { teamId, ...writeReceipt(await this.teams.run(teamId, command, ctx)) };
  }

  @Get('teams/:teamId')
  @Requires('routing:read')
  @ApiTeamParam()
  @ApiTeamNotFound()
  @ApiQueryOperation({
    summary: 'A team: each member with capacity, weight, availability and open leads',
    description: 'Membership is read from the team stream; open leads as far as the routing reaction has come. A `rep` sees lead ids only of its own entry.',
    success: { status: 200, type: TeamResponse, description: 'the team' },
  })
  team(@Param('teamId', teamIdParam) teamId: string, @RequestContext() ctx: CommandContext) {
    return this.routing.team(ctx.tenantId, teamId, ctx.ownerScope?.ownerId);
  }

  @Get('queue')
  @Requires('routing:read')
  @ApiQueryOperation({
    summary: 'Leads waiting for routing, oldest first',
    description: 'No rule matched, nobody in the team was eligible, or the SLA reassignments ran out. As far as the routing reaction has come.',
    success: { status: 200, type: QueueResponse, description: 'the queue' },
  })
  queue(@Query() q: QueueQueryDto, @RequestContext() ctx: CommandContext) {
    return this.routing.queue(ctx.tenantId, q.limit ?? 100);
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
