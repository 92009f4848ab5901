import { DynamicModule, Inject, Module, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { ProcessorHost } from '@lead-lifecycle/eventing';
import { KafkaConfig } from './kafka.config';
import { KafkaRelayProcessor } from './kafka-relay.processor';

export const KAFKA_CONFIG = Symbol('KAFKA_CONFIG');

/**
 * Registers the Kafka relay with the processor host when KAFKA_BROKERS is set and the relay runs in
 * this process (KAFKA_RELAY_IN_PROCESS, or `inProcess: true` for the standalone relay app).
 */
@Module({})
export class KafkaRelayModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly host: ProcessorHost,
    @Inject(KAFKA_CONFIG) private readonly config: KafkaConfig,
    @Optional() @Inject(KafkaRelayProcessor) private readonly relay?: KafkaRelayProcessor,
  ) {}

  static forRoot(config?: KafkaConfig, options: { inProcess?: boolean } = {}): DynamicModule {
    const resolved = config ?? KafkaConfig.fromEnv();
    const run = resolved.enabled && (options.inProcess ?? resolved.KAFKA_RELAY_IN_PROCESS);
    return {
      module: KafkaRelayModule,
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
