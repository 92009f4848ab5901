import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KafkaConfig } from '@lead-lifecycle/kafka-relay';
import { ConfigurationError, EngineConfig } from '@lead-lifecycle/lifecycle';
import { RelayAppModule } from './relay-app.module';

/**
 * The Kafka relay as its own process, for deployments that scale the API separately: run the API with
 * KAFKA_RELAY_IN_PROCESS=false and this app with the same store settings and KAFKA_BROKERS.
 */
async function main(): Promise<void> {
  const engine = EngineConfig.fromEnv();
  const kafka = KafkaConfig.fromEnv();
  if (!kafka.enabled) throw new ConfigurationError('kafka', ['KAFKA_BROKERS: the relay needs at least one broker']);

  const app = await NestFactory.createApplicationContext(RelayAppModule.register(engine, kafka), { logger: ['log', 'warn', 'error'] });
  app.enableShutdownHooks();
  await app.init();
  Logger.log(`relaying ${engine.EVENT_STORE} events to ${kafka.KAFKA_BROKERS} topic ${kafka.KAFKA_TOPIC}`, 'Relay');
}

main().catch((error) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(error instanceof ConfigurationError ? 2 : 1);
});
