import { DynamicModule, Inject, Module, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { ProcessorHost } from '@lead-lifecycle/eventing';
import { KafkaConfig } from './kafka.config';
import { KafkaRelayProcessor } from './kafka-relay.processor';

export const KAFKA_CONFIG = Symbol('KAFKA_CONFIG');

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
}

/** Registers the Kafka relay with the processor host when KAFKA_BROKERS is set and the relay runs here. */
@Module({})
export class KafkaRelayModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly host: ProcessorHost,
    @Inject(KAFKA_CONFIG) private readonly config: KafkaConfig,
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
      ],
      exports: [KAFKA_CONFIG],
    };
  }

  onModuleInit(): void {
    // A poison event is parked (recorded, skipped): the relay has no rows to flag, and holding back a
    // lead's later events would leave its consumers waiting for an event that can never be sent.
    if (this.relay) this.host.register(this.relay, { batchSize: this.config.KAFKA_RELAY_BATCH_SIZE, poisonPolicy: 'park', coalesceMs: 5 });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay?.disconnect();
  }
}
