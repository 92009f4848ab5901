import { DomainError, DomainErrorCode } from '../shared/domain-error';

/** No team of that id in the tenant (another tenant's team is answered the same way). */
export class TeamNotFoundError extends DomainError {
  constructor(readonly teamId: string) {
    super(DomainErrorCode.TeamNotFound, `team ${teamId} not found`, { teamId });
    this.name = 'TeamNotFoundError';
  }
}

/** The tenant already has a team of that id. */
export class TeamAlreadyExistsError extends DomainError {
  constructor(readonly teamId: string) {
    super(DomainErrorCode.TeamAlreadyExists, `team ${teamId} already exists`, { teamId });
    this.name = 'TeamAlreadyExistsError';
  }
}

/** The owner is not a member of the team. */
export class TeamMemberNotFoundError extends DomainError {
  constructor(
    readonly teamId: string,
    readonly ownerId: string,
  ) {
    super(DomainErrorCode.TeamMemberNotFound, `${ownerId} is not a member of team ${teamId}`, { teamId, ownerId });
    this.name = 'TeamMemberNotFoundError';
  }
}

/** The owner is a member already: remove it first to change its capacity or weight. */
export class TeamMemberAlreadyAddedError extends DomainError {
  constructor(
    readonly teamId: string,
    readonly ownerId: string,
  ) {
    super(DomainErrorCode.TeamMemberAlreadyAdded, `${ownerId} is already a member of team ${teamId}`, { teamId, ownerId });
    this.name = 'TeamMemberAlreadyAddedError';
  }
}
