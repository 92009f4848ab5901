import { DynamicModule, Inject, Module, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { CHECKPOINT_STORE, type CheckpointStore, FleetLeases, LeaseConfig, PostgresConfig, ProcessorHost } from '@lead-lifecycle/eventing';
import { KafkaConfig } from './kafka.config';
import { KafkaRelayProcessor } from './kafka-relay.processor';

export const KAFKA_CONFIG = Symbol('KAFKA_CONFIG');
const RELAY_LEASES = Symbol('RELAY_LEASES');

export interface KafkaRelayModuleOptions {
  /**
   * The EventingModule instance the application built, the same object its other modules are given:
   * the relay registers with its ProcessorHost and reads its store.
   */
  readonly eventing: DynamicModule;
  /** Defaults to KafkaConfig.fromEnv(). */
  readonly config?: KafkaConfig;
  /**
   * Whether the relay runs on this module's host: defaults to KAFKA_RELAY_IN_PROCESS; `true` for the
   * standalone relay app and the processor worker, `false` for an API whose worker runs it.
   */
  readonly inProcess?: boolean;
  /** Defaults to PostgresConfig.fromEnv(): with DATABASE_URL the relay is leased and its checkpoint shared. */
  readonly postgres?: PostgresConfig;
  /** Defaults to LeaseConfig.fromEnv(). */
  readonly lease?: LeaseConfig;
}

/**
 * Registers the Kafka relay with the processor host when KAFKA_BROKERS is set and the relay runs here.
 * With DATABASE_URL, every instance that would run it registers it under one lease: only the holder
 * publishes, from the checkpoint in PostgreSQL that every instance shares, and a standby takes over when
 * the holder dies (within LEASE_TTL_MS and one renew interval). Without it, one process, as before.
 */
@Module({})
export class KafkaRelayModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly host: ProcessorHost,
    @Inject(KAFKA_CONFIG) private readonly config: KafkaConfig,
    @Inject(CHECKPOINT_STORE) private readonly checkpoints: CheckpointStore,
    @Inject(RELAY_LEASES) private readonly leases: FleetLeases | null,
    @Optional() @Inject(KafkaRelayProcessor) private readonly relay?: KafkaRelayProcessor,
  ) {}

  static forRoot(options: KafkaRelayModuleOptions): DynamicModule {
    const resolved = options.config ?? KafkaConfig.fromEnv();
    const run = resolved.enabled && (options.inProcess ?? resolved.KAFKA_RELAY_IN_PROCESS);
    return {
      module: KafkaRelayModule,
      imports: [options.eventing],
      providers: [
        { provide: KAFKA_CONFIG, useValue: resolved },
        ...(run ? [{ provide: KafkaRelayProcessor, useFactory: () => new KafkaRelayProcessor(resolved) }] : []),
        {
          provide: RELAY_LEASES,
          useFactory: () => (run ? FleetLeases.open(options.postgres ?? PostgresConfig.fromEnv(), options.lease ?? LeaseConfig.fromEnv()) : null),
        },
      ],
      exports: [KAFKA_CONFIG],
    };
  }

  async onModuleInit(): Promise<void> {
    if (!this.relay || !this.leases) return;
    // Leased: N instances must not send N copies. Its checkpoint is shared (PostgreSQL) with a fleet, so
    // a new holder resumes where the last one saved; the save is fenced on the lease's term.
    const lease = this.leases.lease(this.relay.name);
    this.relay.publishUnder(lease);
    const checkpoints = await this.leases.checkpointsFor(lease, this.checkpoints);
    // A poison event is parked (recorded, skipped): the relay has no rows to flag, and holding back a
    // lead's later events would leave its consumers waiting for an event that can never be sent.
    this.host.register(this.relay, {
      batchSize: this.config.KAFKA_RELAY_BATCH_SIZE,
      poisonPolicy: 'park',
      coalesceMs: 5,
      lease,
      ...(checkpoints ? { checkpoints } : {}),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    // Stopped here (the host stops it too, later or earlier: a second stop does nothing) so the lease is
    // released before its pool closes, and a standby takes over at once.
    if (this.relay) await this.host.runner(this.relay.name)?.stop();
    await this.relay?.disconnect();
    await this.leases?.close();
  }
}
