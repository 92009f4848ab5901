import { Type } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { ConfigurationError, pick, POISON_POLICIES, PoisonPolicy, validateConfig } from '@lead-lifecycle/eventing';

/** Where the read models live: the embedded SQLite file (one process) or the fleet's PostgreSQL. */
export const READ_MODEL_STORES = ['sqlite', 'postgres'] as const;
export type ReadModelStore = (typeof READ_MODEL_STORES)[number];

/** How the read models follow the event log. Read from the environment. */
export class ProjectionsConfig {
  /**
   * What a projection does with a poison event (one it cannot handle after retries): `quarantine` holds
   * the event's lead (its rows are flagged, it is listed at /v1/projections) and goes on with everything
   * else; `stop` stops the projection for every tenant; `park` skips the event and goes on.
   */
  @IsIn(POISON_POLICIES, { message: `PROJECTION_POISON_POLICY must be one of ${POISON_POLICIES.join(', ')}` })
  PROJECTION_POISON_POLICY: PoisonPolicy = 'quarantine';

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

  /**
   * `sqlite` (default): the read models live in the instance's own data folder. `postgres`: in the
   * PostgreSQL of DATABASE_URL, shared by every instance of a fleet; one instance at a time (the holder
   * of each projection's lease) folds into them, every instance answers from them.
   */
  @IsIn(READ_MODEL_STORES, { message: `READ_MODELS must be one of ${READ_MODEL_STORES.join(', ')}` })
  READ_MODELS: ReadModelStore = 'sqlite';

  /** Longest a query waits for the projections to reach a given position (read your own writes). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60000)
  READ_WAIT_MAX_MS: number = 5000;

  static fromEnv(env: NodeJS.ProcessEnv = process.env): ProjectionsConfig {
    return validateConfig(
      'projections',
      ProjectionsConfig,
      pick(env, ['PROJECTION_POISON_POLICY', 'PROJECTION_BATCH_SIZE', 'PROJECTION_COALESCE_MS', 'READ_WAIT_MAX_MS', 'READ_MODELS']),
    );
  }

  /** Refuses READ_MODELS=postgres without a server to keep them in (checked where both settings meet). */
  assertStoreReachable(databaseUrl: string | undefined): void {
    if (this.READ_MODELS === 'postgres' && !databaseUrl) {
      throw new ConfigurationError('projections', ['READ_MODELS=postgres needs DATABASE_URL (the PostgreSQL that the instances share)']);
    }
  }
}
