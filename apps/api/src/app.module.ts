import { HttpConfig } from './config/http.config';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ENGINE_CONFIG, EngineConfig, LeadLifecycleModule, LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';
import { AuthConfig, IdentityModule } from '@lead-lifecycle/identity';
import { ApiKeysController } from './admin/api-keys.controller';
import { KafkaConfig, KafkaRelayModule } from '@lead-lifecycle/kafka-relay';
import { ProjectionsConfig, ProjectionsModule } from '@lead-lifecycle/projections';
import { ReadModelsController } from './read-models/read-models.controller';
import { HealthController } from './health/health.controller';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { CONSISTENCY_TOKENS, ConsistencyTokens } from './http/consistency-token';
import { ConsistencyTokenInterceptor } from './http/consistency-token.interceptor';
import { LeadsController } from './leads/leads.controller';
import { OpportunitiesController } from './opportunities/opportunities.controller';

@Module({})
export class AppModule {
  /**
   * The API: the engine, its read models and relay, and identity (every route authenticated by the
   * AuthGuard from its @Requires/@Public rule; the app refuses to start with a route that has none).
   */
  static register(options: LeadLifecycleModuleOptions = {}, projections?: ProjectionsConfig, kafka?: KafkaConfig, auth?: AuthConfig, http?: HttpConfig): DynamicModule {
    const engine = options.engine ?? EngineConfig.fromEnv();
    const lifecycle = { ...options, engine };
    // One eventing module for all: the engine, the read models and the relay share its store and host.
    const eventing = LeadLifecycleModule.eventing(lifecycle);
    return {
      module: AppModule,
      imports: [
        LeadLifecycleModule.forRoot({ ...lifecycle, eventing }),
        ProjectionsModule.forRoot({ eventing, config: projections, clock: options.clock }),
        KafkaRelayModule.forRoot({ eventing, config: kafka }),
        IdentityModule.forRoot({
          config: auth ?? AuthConfig.fromEnv(),
          baseUrl: http && `http://localhost:${http.PORT}`,
          dataDir: engine.DATA_DIR,
          clock: options.clock,
        }),
      ],
      controllers: [LeadsController, ReadModelsController, OpportunitiesController, HealthController, ApiKeysController],
      // Global, so that every POST honours Idempotency-Key, whichever controller serves it.
      providers: [
        { provide: CONSISTENCY_TOKENS, inject: [ENGINE_CONFIG], useFactory: (engine: EngineConfig) => ConsistencyTokens.inDataDir(engine.DATA_DIR) },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        // After the idempotency interceptor, so inside it: the answer it records already holds the token.
        { provide: APP_INTERCEPTOR, useClass: ConsistencyTokenInterceptor },
      ],
    };
  }
}
