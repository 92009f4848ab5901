import {
  decideTeam,
  DomainErrorCode,
  evolveTeam,
  initialTeamState,
  InvalidCommandError,
  type TeamCommand,
  type TeamEvent,
  TeamAlreadyExistsError,
  TeamMemberAlreadyAddedError,
  TeamMemberNotFoundError,
  TeamNotFoundError,
  teamStreamId,
  decodeTeamEvent,
} from '@lead-lifecycle/domain';
import { deciderSpec } from '../../../../test/support/domain/decider-spec';

const team = deciderSpec<TeamCommand, TeamEvent, ReturnType<typeof evolveTeam>, undefined>({
  decide: (command, state) => decideTeam(command, state),
  evolve: evolveTeam,
  initialState: initialTeamState,
  config: undefined,
});

const T = '2026-03-02T09:00:00.000Z';
const created: TeamEvent = { type: 'TeamCreated', data: { teamId: 'emea', tenantId: 'acme', name: 'EMEA', occurredAt: T } };
const added = (ownerId: string, extra: { capacity?: number; weight?: number } = {}): TeamEvent => ({
  type: 'TeamMemberAdded',
  data: { teamId: 'emea', ownerId, capacity: extra.capacity, weight: extra.weight ?? 1, occurredAt: T },
});
const away = (ownerId: string, until?: string): TeamEvent => ({
  type: 'TeamMemberAvailabilityChanged',
  data: { teamId: 'emea', ownerId, available: false, until, occurredAt: T },
});

describe('team decider', () => {
  it('creates a team once; a second creation is TEAM_ALREADY_EXISTS', () => {
    team.given([]).when({ type: 'CreateTeam', teamId: 'emea', tenantId: 'acme', name: ' EMEA ', occurredAt: T }).then([created]);
    team
      .given([created])
      .when({ type: 'CreateTeam', teamId: 'emea', tenantId: 'acme', name: 'Other', occurredAt: T })
      .thenThrows({ type: TeamAlreadyExistsError, code: DomainErrorCode.TeamAlreadyExists });
  });

  it.each(['', 'EMEA', 'a b', 'x'.repeat(65), 'é', '-lead', 'a.b'])('refuses the team id %j', (teamId) => {
    team.given([]).when({ type: 'CreateTeam', teamId, tenantId: 'acme', name: 'x', occurredAt: T }).thenThrows({ type: InvalidCommandError, fields: ['teamId'] });
  });

  it.each(['', '   ', 'n'.repeat(201)])('refuses the name %j', (name) => {
    team.given([]).when({ type: 'CreateTeam', teamId: 'emea', tenantId: 'acme', name, occurredAt: T }).thenThrows({ type: InvalidCommandError, fields: ['name'] });
  });

  it('every other command on a missing team is TEAM_NOT_FOUND', () => {
    const commands: TeamCommand[] = [
      { type: 'AddTeamMember', teamId: 'emea', ownerId: 'rep-1', occurredAt: T },
      { type: 'RemoveTeamMember', teamId: 'emea', ownerId: 'rep-1', occurredAt: T },
      { type: 'ChangeMemberAvailability', teamId: 'emea', ownerId: 'rep-1', available: false, occurredAt: T },
      { type: 'EndAwayPeriod', teamId: 'emea', ownerId: 'rep-1', until: T, occurredAt: T },
    ];
    for (const command of commands) team.given([]).when(command).thenThrows({ type: TeamNotFoundError, code: DomainErrorCode.TeamNotFound, details: { teamId: 'emea' } });
  });

  it('adds members with weight 1 by default, in the order they join; a member twice is TEAM_MEMBER_ALREADY_ADDED', () => {
    team.given([created]).when({ type: 'AddTeamMember', teamId: 'emea', ownerId: 'rep-1', capacity: 3, occurredAt: T }).then([added('rep-1', { capacity: 3 })]);
    const outcome = team.given([created, added('rep-2'), added('rep-1', { weight: 3 })]).state;
    expect(outcome).toMatchObject({ members: [{ ownerId: 'rep-2', weight: 1, available: true }, { ownerId: 'rep-1', weight: 3 }] });
    team
      .given([created, added('rep-1')])
      .when({ type: 'AddTeamMember', teamId: 'emea', ownerId: 'rep-1', occurredAt: T })
      .thenThrows({ type: TeamMemberAlreadyAddedError, code: DomainErrorCode.TeamMemberAlreadyAdded });
  });

  it.each<[string, Partial<{ ownerId: string; capacity: number; weight: number }>]>([
    ['ownerId', { ownerId: '' }],
    ['ownerId', { ownerId: 'has space' }],
    ['ownerId', { ownerId: 'x'.repeat(129) }],
    ['capacity', { capacity: -1 }],
    ['capacity', { capacity: 1.5 }],
    ['capacity', { capacity: 10_001 }],
    ['capacity', { capacity: Number.NaN }],
    ['weight', { weight: 0 }],
    ['weight', { weight: 2.5 }],
    ['weight', { weight: 1001 }],
  ])('refuses a member with a bad %s (%j)', (field, over) => {
    team
      .given([created])
      .when({ type: 'AddTeamMember', teamId: 'emea', ownerId: 'rep-1', occurredAt: T, ...over })
      .thenThrows({ type: InvalidCommandError, fields: [field] });
  });

  it('removes a member; an unknown one is TEAM_MEMBER_NOT_FOUND', () => {
    const outcome = team.given([created, added('rep-1')]).when({ type: 'RemoveTeamMember', teamId: 'emea', ownerId: 'rep-1', occurredAt: T }).then([
      { type: 'TeamMemberRemoved', data: { teamId: 'emea', ownerId: 'rep-1', occurredAt: T } },
    ]);
    expect(outcome.state).toMatchObject({ members: [] });
    team
      .given([created])
      .when({ type: 'RemoveTeamMember', teamId: 'emea', ownerId: 'rep-9', occurredAt: T })
      .thenThrows({ type: TeamMemberNotFoundError, code: DomainErrorCode.TeamMemberNotFound, details: { ownerId: 'rep-9' } });
  });

  it('marks a member away until a time, and back; the same availability again decides nothing', () => {
    const until = '2026-03-02T12:00:00.000Z';
    team
      .given([created, added('rep-1')])
      .when({ type: 'ChangeMemberAvailability', teamId: 'emea', ownerId: 'rep-1', available: false, until: '2026-03-02T13:00:00+01:00', occurredAt: T })
      .then([away('rep-1', until)]);
    team.given([created, added('rep-1'), away('rep-1', until)]).when({ type: 'ChangeMemberAvailability', teamId: 'emea', ownerId: 'rep-1', available: false, until, occurredAt: T }).then([]);
    team.given([created, added('rep-1')]).when({ type: 'ChangeMemberAvailability', teamId: 'emea', ownerId: 'rep-1', available: true, occurredAt: T }).then([]);
  });

  it.each(['2026-03-02T09:00:00.000Z', '2026-03-01T00:00:00Z', 'tomorrow', '2026-02-30T10:00:00Z'])('refuses the until %j (not a future time)', (until) => {
    team
      .given([created, added('rep-1')])
      .when({ type: 'ChangeMemberAvailability', teamId: 'emea', ownerId: 'rep-1', available: false, until, occurredAt: T })
      .thenThrows({ type: InvalidCommandError, fields: ['until'] });
  });

  it('refuses until with available: true', () => {
    team
      .given([created, added('rep-1')])
      .when({ type: 'ChangeMemberAvailability', teamId: 'emea', ownerId: 'rep-1', available: true, until: '2026-03-03T00:00:00Z', occurredAt: T })
      .thenThrows({ type: InvalidCommandError, fields: ['until'] });
  });

  it('ends only the away period it is due for, at its own time', () => {
    const until = '2026-03-02T12:00:00.000Z';
    const end: TeamCommand = { type: 'EndAwayPeriod', teamId: 'emea', ownerId: 'rep-1', until, occurredAt: '2026-03-02T12:00:05.000Z' };
    team.given([created, added('rep-1'), away('rep-1', until)]).when(end).then([
      { type: 'TeamMemberAvailabilityChanged', data: { teamId: 'emea', ownerId: 'rep-1', available: true, occurredAt: until } },
    ]);
    team.given([created, added('rep-1'), away('rep-1', '2026-03-02T15:00:00.000Z')]).when(end).then([]);
    team.given([created, added('rep-1')]).when(end).then([]);
    team.given([created]).when(end).then([]);
  });

  it('names the stream with the tenant, and decodes its events', () => {
    expect(teamStreamId('acme.eu', 'emea')).toBe('team-acme.eu.emea');
    expect(decodeTeamEvent({ type: 'TeamCreated', schemaVersion: 1, data: created.data })).toEqual(created);
    expect(() => decodeTeamEvent({ type: 'LeadCaptured', schemaVersion: 1, data: {} })).toThrow('not a team event');
    expect(() => decodeTeamEvent({ type: 'TeamCreated', schemaVersion: 2, data: {} })).toThrow('newer version');
  });
});
