import { SLUG } from '../config/routing-config';
import { assertNever, type FieldProblem, InvalidCommandError } from '../shared/domain-error';
import { readBusinessTime, withBusinessTime } from '../shared/business-time';
import { TeamAlreadyExistsError, TeamMemberAlreadyAddedError, TeamMemberNotFoundError, TeamNotFoundError } from './team.errors';
import { type TeamEvent } from './team.events';
import { type ActiveTeam, type TeamState, teamMember } from './team.state';

export interface CreateTeam {
  readonly type: 'CreateTeam';
  readonly teamId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly occurredAt: string;
}
export interface AddTeamMember {
  readonly type: 'AddTeamMember';
  readonly teamId: string;
  readonly ownerId: string;
  /** Open leads at once; none: no limit. */
  readonly capacity?: number;
  /** Share under `weighted`; default 1. */
  readonly weight?: number;
  readonly occurredAt: string;
}
export interface RemoveTeamMember {
  readonly type: 'RemoveTeamMember';
  readonly teamId: string;
  readonly ownerId: string;
  readonly occurredAt: string;
}
export interface ChangeMemberAvailability {
  readonly type: 'ChangeMemberAvailability';
  readonly teamId: string;
  readonly ownerId: string;
  readonly available: boolean;
  /** Only with `available: false`: when the member is back; later than `occurredAt`. */
  readonly until?: string;
  readonly occurredAt: string;
}
/**
 * Issued by the routing sweeper when an away period given with `until` has passed: records the return
 * at `until` itself, so every instance writes the same event; nothing when the member changed since.
 */
export interface EndAwayPeriod {
  readonly type: 'EndAwayPeriod';
  readonly teamId: string;
  readonly ownerId: string;
  readonly until: string;
  readonly occurredAt: string;
}

export type TeamCommand = CreateTeam | AddTeamMember | RemoveTeamMember | ChangeMemberAvailability | EndAwayPeriod;

/** Limits of the team's settings (the HTTP DTOs state the same). */
export const TEAM_LIMITS = { nameMaxLength: 200, maxCapacity: 10_000, maxWeight: 1_000 } as const;
/** Owner ids as the routing configuration and API keys write them. */
export const OWNER_ID_PATTERN = /^\S{1,128}$/;

/** Decides what a command does to a team: the events to append, or a domain error. Pure. */
export function decideTeam(command: TeamCommand, state: TeamState): TeamEvent[] {
  command = withBusinessTime(command);
  if (command.type === 'CreateTeam') return create(command, state);
  if (state.status === 'none') throw new TeamNotFoundError(command.teamId);
  const { teamId } = state;
  const { occurredAt } = command;
  switch (command.type) {
    case 'AddTeamMember': {
      const weight = command.weight ?? 1;
      const problems: FieldProblem[] = [
        ...ownerIdProblems(command.ownerId),
        ...integerProblems('capacity', command.capacity, 0, TEAM_LIMITS.maxCapacity),
        ...integerProblems('weight', weight, 1, TEAM_LIMITS.maxWeight),
      ];
      if (problems.length) throw new InvalidCommandError(problems);
      if (teamMember(state, command.ownerId)) throw new TeamMemberAlreadyAddedError(teamId, command.ownerId);
      return [{ type: 'TeamMemberAdded', data: { teamId, ownerId: command.ownerId, capacity: command.capacity, weight, occurredAt } }];
    }
    case 'RemoveTeamMember':
      requireMember(state, command.ownerId);
      return [{ type: 'TeamMemberRemoved', data: { teamId, ownerId: command.ownerId, occurredAt } }];
    case 'ChangeMemberAvailability': {
      const member = requireMember(state, command.ownerId);
      const until = command.until === undefined ? undefined : untilOf(command.until, command.available, occurredAt);
      if (member.available === command.available && member.until === until) return [];
      return [{ type: 'TeamMemberAvailabilityChanged', data: { teamId, ownerId: command.ownerId, available: command.available, until, occurredAt } }];
    }
    case 'EndAwayPeriod': {
      const member = teamMember(state, command.ownerId);
      // Only the away period the sweeper was due for: a member removed, back already or away anew stays as it is.
      if (!member || member.available || member.until !== command.until) return [];
      return [{ type: 'TeamMemberAvailabilityChanged', data: { teamId, ownerId: command.ownerId, available: true, occurredAt: command.until } }];
    }
    default:
      return assertNever(command, 'team command');
  }
}

function create(command: CreateTeam, state: TeamState): TeamEvent[] {
  const problems: FieldProblem[] = [];
  if (typeof command.teamId !== 'string' || !SLUG.regex.test(command.teamId)) problems.push({ field: 'teamId', reason: SLUG.message });
  const name = typeof command.name === 'string' ? command.name.trim() : '';
  if (!name) problems.push({ field: 'name', reason: 'must not be empty' });
  else if (name.length > TEAM_LIMITS.nameMaxLength) problems.push({ field: 'name', reason: `must be at most ${TEAM_LIMITS.nameMaxLength} characters` });
  if (problems.length) throw new InvalidCommandError(problems);
  if (state.status !== 'none') throw new TeamAlreadyExistsError(command.teamId);
  return [{ type: 'TeamCreated', data: { teamId: command.teamId, tenantId: command.tenantId, name, occurredAt: command.occurredAt } }];
}

function requireMember(state: ActiveTeam, ownerId: string) {
  const member = teamMember(state, ownerId);
  if (!member) throw new TeamMemberNotFoundError(state.teamId, ownerId);
  return member;
}

function untilOf(until: string, available: boolean, occurredAt: string): string {
  if (available) throw new InvalidCommandError([{ field: 'until', reason: 'only with available: false (when the member is back)' }]);
  const parsed = readBusinessTime(until);
  if (!parsed.ok) throw new InvalidCommandError([{ field: 'until', reason: parsed.reason }]);
  if (parsed.value <= occurredAt) throw new InvalidCommandError([{ field: 'until', reason: 'must be in the future' }]);
  return parsed.value;
}

function ownerIdProblems(ownerId: unknown): FieldProblem[] {
  return typeof ownerId === 'string' && OWNER_ID_PATTERN.test(ownerId) ? [] : [{ field: 'ownerId', reason: 'must be 1 to 128 characters without spaces' }];
}

function integerProblems(field: string, value: number | undefined, min: number, max: number): FieldProblem[] {
  if (value === undefined) return [];
  return Number.isInteger(value) && value >= min && value <= max ? [] : [{ field, reason: `must be an integer from ${min} to ${max}` }];
}
