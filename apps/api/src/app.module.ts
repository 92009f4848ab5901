import { DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { LeadLifecycleModule, LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';
import { KafkaConfig, KafkaRelayModule } from '@lead-lifecycle/kafka-relay';
import { ProjectionsConfig, ProjectionsModule } from '@lead-lifecycle/projections';
import { ReadModelsController } from './read-models/read-models.controller';
import { HealthController } from './health/health.controller';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { LeadsController } from './leads/leads.controller';
import { OpportunitiesController } from './opportunities/opportunities.controller';

@Module({})
export class AppModule {
  static register(options: LeadLifecycleModuleOptions = {}, projections?: ProjectionsConfig, kafka?: KafkaConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [LeadLifecycleModule.forRoot(options), ProjectionsModule.forRoot(projections), KafkaRelayModule.forRoot(kafka)],
      controllers: [LeadsController, ReadModelsController, OpportunitiesController, HealthController],
      // Global, so that every POST honours Idempotency-Key, whichever controller serves it.
      providers: [{ provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }],
    };
  }
}
