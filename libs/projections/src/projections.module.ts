import { DynamicModule, Module } from '@nestjs/common';
import { Clock, systemClock } from '@lead-lifecycle/domain';
import { CLOCK } from '@lead-lifecycle/eventing';
import { GetFunnelHandler, GetKpisHandler, GetTimeInStageHandler, ListLeadsHandler } from './projection-queries';
import { GetProjectionStatusHandler } from './projection-status';
import { ProjectionsConfig } from './projections.config';
import { PROJECTIONS_CONFIG } from './projections.tokens';
import { ReadModels } from './read-models';

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
}

/**
 * The funnel, scoring and KPI read models, fed from the store's global order with checkpoints kept
 * in the same SQLite transaction as the rows, and their queries.
 */
@Module({})
export class ProjectionsModule {
  static forRoot(options: ProjectionsModuleOptions): DynamicModule {
    return {
      module: ProjectionsModule,
      imports: [options.eventing],
      providers: [
        { provide: PROJECTIONS_CONFIG, useFactory: () => options.config ?? ProjectionsConfig.fromEnv() },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
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
