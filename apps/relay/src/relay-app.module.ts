import { DynamicModule, Module } from '@nestjs/common';
import { KafkaConfig, KafkaRelayModule } from '@lead-lifecycle/kafka-relay';
import { EngineConfig, LeadLifecycleModule } from '@lead-lifecycle/lifecycle';

/**
 * The standalone relay: the event store, key store and checkpoint store (the engine's EventingModule)
 * and the Kafka relay on its processor host. No command or query handler, no CQRS bus, no reaction:
 * the API process writes and reacts, this one only publishes.
 */
@Module({})
export class RelayAppModule {
  static register(engine: EngineConfig, kafka: KafkaConfig): DynamicModule {
    const eventing = LeadLifecycleModule.eventing({ engine });
    return { module: RelayAppModule, imports: [eventing, KafkaRelayModule.forRoot({ eventing, config: kafka, inProcess: true })] };
  }
}
