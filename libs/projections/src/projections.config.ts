import { Type } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { pick, validateConfig } from '@lead-lifecycle/lifecycle';

/** How the read models follow the event log. Read from the environment. */
export class ProjectionsConfig {
  /** A poison event (one a projection cannot handle) either stops the projection loudly or is parked and skipped. */
  @IsIn(['stop', 'park'], { message: 'PROJECTION_POISON_POLICY must be "stop" or "park"' })
  PROJECTION_POISON_POLICY: 'stop' | 'park' = 'stop';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  PROJECTION_BATCH_SIZE: number = 1000;

  /** After a quiet spell, how long a projection lets new events gather before one transaction takes them all. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1000)
  PROJECTION_COALESCE_MS: number = 10;

  /** Longest a query waits for the projections to reach a given position (read your own writes). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60000)
  READ_WAIT_MAX_MS: number = 5000;

  static fromEnv(env: NodeJS.ProcessEnv = process.env): ProjectionsConfig {
    return validateConfig('projections', ProjectionsConfig, pick(env, ['PROJECTION_POISON_POLICY', 'PROJECTION_BATCH_SIZE', 'PROJECTION_COALESCE_MS', 'READ_WAIT_MAX_MS']));
  }
}
