import { DynamicModule, Module } from '@nestjs/common';
import { LeadLifecycleModule, LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';
import { ProjectionsConfig, ProjectionsModule } from '@lead-lifecycle/projections';
import { ReadModelsController } from './read-models/read-models.controller';
import { HealthController } from './health/health.controller';
import { LeadsController } from './leads/leads.controller';
import { OpportunitiesController } from './opportunities/opportunities.controller';

@Module({})
export class AppModule {
  static register(options: LeadLifecycleModuleOptions = {}, projections?: ProjectionsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [LeadLifecycleModule.forRoot(options), ProjectionsModule.forRoot(projections)],
      controllers: [LeadsController, ReadModelsController, OpportunitiesController, HealthController],
    };
  }
}
