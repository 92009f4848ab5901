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
import { ReadinessConfig } from './health/readiness.config';
import { Readiness } from './health/readiness.service';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { CONSISTENCY_TOKENS, ConsistencyTokens } from './http/consistency-token';
import { ConsistencyTokenInterceptor } from './http/consistency-token.interceptor';
import { LeadsController } from './leads/leads.controller';
import { LeaseConfig, PostgresConfig, ProcessorWorkerOptions } from '@lead-lifecycle/eventing';
import { join } from 'node:path';
import { processorsWorkerModule, ProcessorsWorkerData, settingsOf } from './processors/processors-worker.module';
import { OpportunitiesController } from './opportunities/opportunities.controller';
import { TeamsController } from './teams/teams.controller';
import { AutomationModule } from '@lead-lifecycle/automation';
import { loadLifecycleConfig } from '@lead-lifecycle/lifecycle';
import { SlaController } from './sla/sla.controller';
import { DashboardModule } from './dashboard/dashboard.module';

@Module({})
export class AppModule {
  /**
   * The API: the engine, its read models and relay, and identity (every route authenticated by the
   * AuthGuard from its @Requires/@Public rule; the app refuses to start with a route that has none).
   */
  static register(
    options: LeadLifecycleModuleOptions = {},
    projections?: ProjectionsConfig,
    kafka?: KafkaConfig,
    auth?: AuthConfig,
    http?: HttpConfig,
    quiet = false,
  ): DynamicModule {
    const engine = options.engine ?? EngineConfig.fromEnv();
    const postgres = options.postgres ?? PostgresConfig.fromEnv();
    const lifecycle = { ...options, engine, postgres };
    const kafkaConfig = kafka ?? KafkaConfig.fromEnv();
    const projectionsConfig = projections ?? ProjectionsConfig.fromEnv();
    // An embedder's store or key store object cannot cross into a thread: its processors stay here.
    const inWorker = engine.PROCESSORS_IN === 'worker' && !options.eventStore && !options.keyStore;
    const worker: ProcessorWorkerOptions | undefined = inWorker
      ? {
          modulePath: join(__dirname, 'processors', 'processors-worker.module'),
          exportName: processorsWorkerModule.name,
          data: {
            engine: settingsOf(engine),
            projections: settingsOf(projectionsConfig),
            kafka: settingsOf(kafkaConfig),
            // The same server (key store, leases, checkpoints) and the instance id resolved here: the worker holds the leases.
            postgres: settingsOf(postgres),
            lease: settingsOf(LeaseConfig.fromEnv()),
            lifecycleConfig: options.lifecycleConfig,
          } satisfies ProcessorsWorkerData,
          quiet,
        }
      : undefined;
    // One eventing module for all: the engine, the read models and the relay share its store and host.
    // With a worker, the projections, the relay and the durable reaction run there; this thread keeps
    // commands (with their inline reaction) and queries, and reads the worker's positions.
    const eventing = LeadLifecycleModule.eventing(lifecycle, { worker });
    return {
      module: AppModule,
      imports: [
        LeadLifecycleModule.forRoot({ ...lifecycle, eventing, runReactions: inWorker ? false : options.runReactions }),
        ProjectionsModule.forRoot({ eventing, config: projectionsConfig, clock: options.clock, postgres }),
        KafkaRelayModule.forRoot({ eventing, config: kafkaConfig, inProcess: inWorker ? false : undefined }),
        // Its reactions and sweepers run where the other processors run; here it always answers its reads.
        AutomationModule.forRoot({
          eventing,
          lifecycleConfig: options.lifecycleConfig ?? loadLifecycleConfig(engine.LIFECYCLE_CONFIG),
          dataDir: engine.DATA_DIR,
          clock: options.clock,
          runReactions: !inWorker && options.runReactions !== false,
        }),
        DashboardModule.forRoot({ eventing }),
        IdentityModule.forRoot({
          config: auth ?? AuthConfig.fromEnv(),
          baseUrl: http && `http://localhost:${http.PORT}`,
          dataDir: engine.DATA_DIR,
          clock: options.clock,
          postgres,
        }),
      ],
      controllers: [LeadsController, ReadModelsController, OpportunitiesController, TeamsController, SlaController, HealthController, ApiKeysController],
      // Global, so that every POST honours Idempotency-Key, whichever controller serves it.
      providers: [
        { provide: ReadinessConfig, useFactory: () => ReadinessConfig.fromEnv() },
        Readiness,
        { provide: CONSISTENCY_TOKENS, inject: [ENGINE_CONFIG], useFactory: (engine: EngineConfig) => ConsistencyTokens.of(engine.DATA_DIR, postgres) },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        // After the idempotency interceptor, so inside it: the answer it records already holds the token.
        { provide: APP_INTERCEPTOR, useClass: ConsistencyTokenInterceptor },
      ],
    };
  }
}
