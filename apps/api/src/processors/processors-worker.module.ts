import { DynamicModule, Module } from '@nestjs/common';
import { LifecycleConfig } from '@lead-lifecycle/domain';
import { EngineConfig, LeadLifecycleModule, loadLifecycleConfig, OpportunityReactionModule } from '@lead-lifecycle/lifecycle';
import { KafkaConfig, KafkaRelayModule } from '@lead-lifecycle/kafka-relay';
import { ProjectionsConfig, ProjectionsModule } from '@lead-lifecycle/projections';
import { AutomationModule } from '@lead-lifecycle/automation';
import { LeaseConfig, PostgresConfig } from '@lead-lifecycle/eventing';

/**
 * What the API hands its processor worker: its settings as plain values (validated again in the
 * worker, which builds its own store, key store and read-model connections from them).
 */
export interface ProcessorsWorkerData {
  readonly engine: Record<string, string>;
  readonly projections: Record<string, string>;
  readonly kafka: Record<string, string>;
  /** The shared PostgreSQL settings: the worker opens its own pools on the same server (key store, leases, checkpoints). */
  readonly postgres: Record<string, string>;
  /** The lease settings, INSTANCE_ID as the main thread resolved it, for the leased processors. */
  readonly lease?: Record<string, string>;
  /** The embedder's rules when it passed them; otherwise the worker reads engine.LIFECYCLE_CONFIG itself. */
  readonly lifecycleConfig?: LifecycleConfig;
}

/** A validated config as environment-like text values, to cross into the worker and be validated there. */
export function settingsOf(config: object): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config)
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([key, value]) => [key, String(value)]),
  );
}

/** How often the worker's processors look for the API's appends in the embedded store. */
export const WORKER_STORE_POLL_MS = 10;

@Module({})
class ProcessorsWorkerModule {}

/**
 * The API's processor worker (see ProcessorWorker): the three projections, the Kafka relay (when the
 * API would run it), the durable opportunity reaction and the automation (routing, SLAs, aging), on their own EventingModule, so on their own
 * connections to the same files (WAL) or their own EventStoreDB client. Looked up by name from the
 * worker thread: keep the export name in step with app.module.ts.
 */
export function processorsWorkerModule(data: ProcessorsWorkerData): DynamicModule {
  // Inside the worker every processor runs on the worker's own event loop: PROCESSORS_IN=main here. Its
  // few appends (the reaction's) are written on that loop too: no writer thread of its own.
  const engine = EngineConfig.fromEnv({ ...data.engine, PROCESSORS_IN: 'main', SQLITE_WRITER: 'main' });
  const kafka = KafkaConfig.fromEnv(data.kafka);
  const postgres = PostgresConfig.fromEnv(data.postgres);
  const fleet = { postgres, lease: LeaseConfig.fromEnv(data.lease ?? {}) };
  // The API appends on another connection, which wakes no subscription here: the embedded store is
  // polled often instead, so read-your-writes waits milliseconds, not the store's default 250 ms.
  const eventing = LeadLifecycleModule.eventing(
    { engine, postgres },
    { store: { pollIntervalMs: WORKER_STORE_POLL_MS } },
  );
  const lifecycleConfig = data.lifecycleConfig ?? loadLifecycleConfig(engine.LIFECYCLE_CONFIG);
  return {
    module: ProcessorsWorkerModule,
    imports: [
      eventing,
      ProjectionsModule.forRoot({ eventing, config: ProjectionsConfig.fromEnv(data.projections), ...fleet }),
      KafkaRelayModule.forRoot({ eventing, config: kafka, ...fleet }),
      OpportunityReactionModule.forRoot({ eventing, lifecycleConfig }),
      AutomationModule.forRoot({ eventing, lifecycleConfig, dataDir: engine.DATA_DIR, runReactions: true, ...fleet }),
    ],
  };
}
