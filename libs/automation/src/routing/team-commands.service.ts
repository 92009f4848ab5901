import { Inject, Injectable } from '@nestjs/common';
import { decideTeam, decodeTeamEvent, evolveTeam, initialTeamState, type TeamCommand, type TeamEvent, type TeamState, teamStreamId } from '@lead-lifecycle/domain';
import { AggregateRepository, type CommandContext, type CommandResult, resultOf } from '@lead-lifecycle/lifecycle';
import type { AutomationContext } from '../automation-part';
import { AUTOMATION_CONTEXT } from '../automation.tokens';

/**
 * The command path of teams: decide on the team's stream (`team-<tenantId>.<teamId>`, so another
 * tenant's team of the same id is another stream) and append with the expected revision. The tenant
 * comes from the caller's context, never from the request.
 */
@Injectable()
export class TeamCommands {
  private readonly teams: AggregateRepository<TeamState, TeamEvent>;

  constructor(@Inject(AUTOMATION_CONTEXT) context: AutomationContext) {
    this.teams = new AggregateRepository(context.store, { initialState: initialTeamState, evolve: evolveTeam, decode: decodeTeamEvent }, { cachedStreams: 0 });
  }

  /** Runs one team command for the caller's tenant; answers where its events landed. */
  async run(teamId: string, command: TeamCommand, context: CommandContext): Promise<CommandResult> {
    const streamId = teamStreamId(context.tenantId, teamId);
    const decided = await this.teams.handle(streamId, (state) => decideTeam(command, state), { ...context, command: context.command ?? command.type });
    return resultOf(streamId, decided);
  }

  /** The team of the caller's tenant as its stream knows it now (no read model: membership is read fresh). */
  async team(tenantId: string, teamId: string): Promise<TeamState> {
    return (await this.teams.load(teamStreamId(tenantId, teamId))).state;
  }
}
