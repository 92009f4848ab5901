import { DynamicModule, Module } from '@nestjs/common';
import { GetFunnelHandler, GetKpisHandler, GetTimeInStageHandler, ListLeadsHandler } from './projection-queries';
import { GetProjectionStatusHandler } from './projection-status';
import { ProjectionsConfig } from './projections.config';
import { PROJECTIONS_CONFIG } from './projections.tokens';
import { ReadModels } from './read-models';

/**
 * The funnel, scoring and KPI read models, fed from the store's global order with checkpoints kept
 * in the same SQLite transaction as the rows. Needs LeadLifecycleModule.
 */
@Module({})
export class ProjectionsModule {
  static forRoot(config?: ProjectionsConfig): DynamicModule {
    return {
      module: ProjectionsModule,
      providers: [
        { provide: PROJECTIONS_CONFIG, useFactory: () => config ?? ProjectionsConfig.fromEnv() },
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
