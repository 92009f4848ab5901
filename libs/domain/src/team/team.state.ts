import { assertNever } from '../shared/domain-error';
import { type TeamEvent } from './team.events';

/** One member as the team's stream knows it, in the order members joined. */
export interface TeamMember {
  readonly ownerId: string;
  readonly capacity?: number;
  readonly weight: number;
  readonly available: boolean;
  /** With `available: false`: the time the member is back. */
  readonly until?: string;
  readonly addedAt: string;
}

export interface NoTeam {
  readonly status: 'none';
}

export interface ActiveTeam {
  readonly status: 'active';
  readonly teamId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly createdAt: string;
  readonly members: readonly TeamMember[];
}

export type TeamState = NoTeam | ActiveTeam;

export const initialTeamState: TeamState = Object.freeze({ status: 'none' });

/** The member `ownerId` of the team, if it is one. */
export function teamMember(state: ActiveTeam, ownerId: string): TeamMember | undefined {
  return state.members.find((m) => m.ownerId === ownerId);
}

export function evolveTeam(state: TeamState, event: TeamEvent): TeamState {
  if (event.type === 'TeamCreated') {
    const { teamId, tenantId, name, occurredAt } = event.data;
    return state.status === 'none' ? { status: 'active', teamId, tenantId, name, createdAt: occurredAt, members: [] } : state;
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'TeamMemberAdded': {
      const { ownerId, capacity, weight, occurredAt } = event.data;
      const others = state.members.filter((m) => m.ownerId !== ownerId);
      return { ...state, members: [...others, { ownerId, capacity, weight, available: true, addedAt: occurredAt }] };
    }
    case 'TeamMemberRemoved':
      return { ...state, members: state.members.filter((m) => m.ownerId !== event.data.ownerId) };
    case 'TeamMemberAvailabilityChanged': {
      const { ownerId, available, until } = event.data;
      return { ...state, members: state.members.map((m) => (m.ownerId === ownerId ? { ...m, available, until: available ? undefined : until } : m)) };
    }
    default:
      return assertNever(event, 'team event');
  }
}

export function foldTeam(events: Iterable<TeamEvent>, from: TeamState = initialTeamState): TeamState {
  let state = from;
  for (const event of events) state = evolveTeam(state, event);
  return state;
}
