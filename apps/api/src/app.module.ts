import { DynamicModule, Module } from '@nestjs/common';
import { LeadLifecycleModule, LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';
import { KafkaConfig, KafkaRelayModule } from '@lead-lifecycle/kafka-relay';
import { ProjectionsConfig, ProjectionsModule } from '@lead-lifecycle/projections';
import { ReadModelsController } from './read-models/read-models.controller';
import { HealthController } from './health/health.controller';
import { LeadsController } from './leads/leads.controller';
import { OpportunitiesController } from './opportunities/opportunities.controller';

@Module({})
export class AppModule {
  static register(options: LeadLifecycleModuleOptions = {}, projections?: ProjectionsConfig, kafka?: KafkaConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [LeadLifecycleModule.forRoot(options), ProjectionsModule.forRoot(projections), KafkaRelayModule.forRoot(kafka)],
      controllers: [LeadsController, ReadModelsController, OpportunitiesController, HealthController],
    };
  }
}
