import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigurationError, EngineConfig } from '@lead-lifecycle/lifecycle';
import { KafkaConfig } from '@lead-lifecycle/kafka-relay';
import { ProjectionsConfig } from '@lead-lifecycle/projections';
import { AuthConfig } from '@lead-lifecycle/identity';
import { createApp } from './bootstrap';
import { HttpConfig } from './config/http.config';

async function main(): Promise<void> {
  let http: HttpConfig;
  let engine: EngineConfig;
  let projections: ProjectionsConfig;
  let kafka: KafkaConfig;
  let auth: AuthConfig;
  try {
    http = HttpConfig.fromEnv();
    engine = EngineConfig.fromEnv();
    projections = ProjectionsConfig.fromEnv();
    kafka = KafkaConfig.fromEnv();
    auth = AuthConfig.fromEnv();
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const app = await createApp({ lifecycle: { engine }, projections, kafka, http, auth });
  await app.listen(http.PORT, http.HOST);
  Logger.log(`Lead Lifecycle API on http://${http.HOST}:${http.PORT} (server: ${http.HTTP_ADAPTER}, store: ${engine.EVENT_STORE}, data: ${engine.DATA_DIR}, kafka: ${kafka.enabled ? kafka.KAFKA_BROKERS : 'off'}); docs at /docs`, 'Main');
}

main().catch((error) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
