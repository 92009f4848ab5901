import { DynamicModule, Module } from '@nestjs/common';
import { LeadLifecycleModule, LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';
import { HealthController } from './health/health.controller';
import { LeadsController } from './leads/leads.controller';
import { OpportunitiesController } from './opportunities/opportunities.controller';

@Module({})
export class AppModule {
  static register(options: LeadLifecycleModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [LeadLifecycleModule.forRoot(options)],
      controllers: [LeadsController, OpportunitiesController, HealthController],
    };
  }
}
