import { decideTeam, decodeTeamEvent, evolveTeam, initialTeamState, type TeamEvent, type TeamState, teamStreamId } from '@lead-lifecycle/domain';
import type { DeadlineSweeper, EventStore } from '@lead-lifecycle/eventing';
import { AggregateRepository } from '@lead-lifecycle/lifecycle';
import type { RoutingStateStore } from './routing-state.store';

/** The sweeper's name, and the actor of the events it appends. */
export const TEAM_AWAY_SWEEPER_NAME = 'sweeper:team-away';

/**
 * Records the return of members whose away period (`until`) has passed: TeamMemberAvailabilityChanged
 * `available: true` at `until` itself, with an id derived from the period, so a second sweep or another
 * instance writes nothing new. The routing reaction then sees the return in the log and retries the
 * team's queue. (Until the return is recorded, routing already treats the member as available for any
 * decision made at or after `until`.)
 */
export class TeamAwaySweeper implements DeadlineSweeper {
  readonly name = TEAM_AWAY_SWEEPER_NAME;
  private readonly teams: AggregateRepository<TeamState, TeamEvent>;

  constructor(
    store: EventStore,
    private readonly state: RoutingStateStore,
  ) {
    this.teams = new AggregateRepository(store, { initialState: initialTeamState, evolve: evolveTeam, decode: decodeTeamEvent }, { cachedStreams: 0 });
  }

  async sweep(now: Date): Promise<number> {
    let acted = 0;
    for (const { tenantId, teamId, ownerId, until } of this.state.awayPeriodsEndedBy(now.toISOString())) {
      const seed = `${TEAM_AWAY_SWEEPER_NAME}:${tenantId}:${teamId}:${ownerId}:${until}`;
      const decided = await this.teams.handle(
        teamStreamId(tenantId, teamId),
        (team) => decideTeam({ type: 'EndAwayPeriod', teamId, ownerId, until, occurredAt: now.toISOString() }, team),
        { tenantId, actor: TEAM_AWAY_SWEEPER_NAME, correlationId: seed, causationId: seed, command: 'EndAwayPeriod' },
        { idSeed: seed },
      );
      acted += decided.appended.length;
    }
    return acted;
  }
}
