/** Every refusal the domain can give, stable for API clients (mapped to HTTP once, in the API's filter). */
export enum DomainErrorCode {
  InvalidCommand = 'INVALID_COMMAND',
  LeadNotFound = 'LEAD_NOT_FOUND',
  OpportunityNotFound = 'OPPORTUNITY_NOT_FOUND',
  LeadAlreadyExists = 'LEAD_ALREADY_EXISTS',
  LifecycleViolation = 'LIFECYCLE_VIOLATION',
  QualificationRefused = 'QUALIFICATION_REFUSED',
  ConcurrencyConflict = 'CONCURRENCY_CONFLICT',
  InvalidConfiguration = 'INVALID_CONFIGURATION',
  /** A read-your-writes query waited for a projection longer than allowed. */
  ProjectionBehind = 'PROJECTION_BEHIND',
  TeamNotFound = 'TEAM_NOT_FOUND',
  TeamAlreadyExists = 'TEAM_ALREADY_EXISTS',
  TeamMemberNotFound = 'TEAM_MEMBER_NOT_FOUND',
  TeamMemberAlreadyAdded = 'TEAM_MEMBER_ALREADY_ADDED',
}

export interface FieldProblem {
  readonly field: string;
  readonly reason: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  /** A conflict is worth retrying on fresh state; processors outside the domain read this flag, not the code. */
  get retryable(): boolean {
    return this.code === DomainErrorCode.ConcurrencyConflict;
  }
}

/** A move the lifecycle does not allow from the current stage. */
export class LifecycleError extends DomainError {
  constructor(
    readonly currentStage: string,
    readonly attemptedMove: string,
    reason?: string,
  ) {
    super(
      DomainErrorCode.LifecycleViolation,
      `cannot ${attemptedMove} from stage "${currentStage}"${reason ? `: ${reason}` : ''}`,
      { currentStage, attemptedMove, ...(reason ? { reason } : {}) },
    );
    this.name = 'LifecycleError';
  }
}

export class InvalidCommandError extends DomainError {
  constructor(readonly problems: readonly FieldProblem[]) {
    super(DomainErrorCode.InvalidCommand, problems.map((p) => `${p.field}: ${p.reason}`).join('; '), { problems });
    this.name = 'InvalidCommandError';
  }
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
