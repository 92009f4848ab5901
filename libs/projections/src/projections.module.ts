import { DynamicModule, Module } from '@nestjs/common';
import { Clock, systemClock } from '@lead-lifecycle/domain';
import { CLOCK, LeaseConfig, PostgresConfig } from '@lead-lifecycle/eventing';
import { GetFunnelHandler, GetKpisHandler, GetTimeInStageHandler, ListLeadsHandler } from './projection-queries';
import { GetProjectionStatusHandler } from './projection-status';
import { ProjectionsConfig } from './projections.config';
import { PROJECTIONS_CONFIG, PROJECTIONS_FLEET } from './projections.tokens';
import { ReadModels, ReadModelsFleet } from './read-models';

export interface ProjectionsModuleOptions {
  /**
   * The EventingModule instance the application built (`LeadLifecycleModule.eventing(...)` or
   * `EventingModule.forRoot(...)`), the same object the lifecycle module is given: its checkpoint store
   * holds the read models, its processor host runs the projections, or, when it has a worker, the
   * worker runs them and this module only reads.
   */
  readonly eventing: DynamicModule;
  /** Defaults to ProjectionsConfig.fromEnv(). */
  readonly config?: ProjectionsConfig;
  /** For lag and time-in-stage answers; defaults to the system clock. */
  readonly clock?: Clock;
  /** The shared server of READ_MODELS=postgres (DATABASE_URL); defaults to PostgresConfig.fromEnv(). */
  readonly postgres?: PostgresConfig;
  /** This instance's lease settings (INSTANCE_ID, LEASE_TTL_MS) for the projections' leases; defaults to LeaseConfig.fromEnv(). */
  readonly lease?: LeaseConfig;
}

/**
 * The funnel, scoring and KPI read models, fed from the store's global order with checkpoints kept
 * in the same transaction as the rows (SQLite by default; PostgreSQL with READ_MODELS=postgres), and their queries.
 */
@Module({})
export class ProjectionsModule {
  static forRoot(options: ProjectionsModuleOptions): DynamicModule {
    const config = options.config ?? ProjectionsConfig.fromEnv();
    const postgres = options.postgres ?? PostgresConfig.fromEnv();
    // Here, before the application is built: a refused setting is a plain error, not a failed boot.
    config.assertStoreReachable(postgres.DATABASE_URL);
    return {
      module: ProjectionsModule,
      imports: [options.eventing],
      providers: [
        { provide: PROJECTIONS_CONFIG, useValue: config },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        {
          provide: PROJECTIONS_FLEET,
          useFactory: (): ReadModelsFleet => ({ postgres, lease: options.lease ?? LeaseConfig.fromEnv() }),
        },
        ReadModels,
        GetFunnelHandler,
        GetTimeInStageHandler,
        ListLeadsHandler,
        GetKpisHandler,
        GetProjectionStatusHandler,
      ],
      exports: [ReadModels, PROJECTIONS_CONFIG],
    };
  }
}
