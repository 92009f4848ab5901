import { NestFactory, ModulesContainer } from '@nestjs/core';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { COMMAND_HANDLER_METADATA, QUERY_HANDLER_METADATA } from '@nestjs/cqrs/dist/decorators/constants';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE, ProcessorHost } from '@lead-lifecycle/eventing';
import { KafkaConfig, KafkaRelayProcessor } from '@lead-lifecycle/kafka-relay';
import { EngineConfig } from '@lead-lifecycle/lifecycle';
import { RelayAppModule } from './relay-app.module';

describe('the standalone relay app', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-app-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('boots the store, the checkpoint store and the relay only: no command or query handler, no bus', async () => {
    // No event is in the store, so the relay never connects to this (absent) broker.
    const kafka = KafkaConfig.fromEnv({ KAFKA_BROKERS: '127.0.0.1:1' });
    const app = await NestFactory.createApplicationContext(RelayAppModule.register(EngineConfig.fromEnv({ DATA_DIR: dataDir }), kafka), { logger: false });
    try {
      const handlers = [...app.get(ModulesContainer).values()].flatMap((module) =>
        [...module.providers.values()]
          .map((wrapper) => wrapper.metatype)
          .filter((type): type is NonNullable<typeof type> => typeof type === 'function')
          .filter((type) => Reflect.hasMetadata(COMMAND_HANDLER_METADATA, type) || Reflect.hasMetadata(QUERY_HANDLER_METADATA, type)),
      );
      expect(handlers.map((type) => type.name)).toEqual([]);
      expect(() => app.get(CommandBus)).toThrow();
      expect(() => app.get(QueryBus)).toThrow();
      expect(app.get(EVENT_STORE)).toBeDefined();
      expect(app.get(ProcessorHost).statuses().map((s) => s.name)).toEqual([app.get(KafkaRelayProcessor).name]);
    } finally {
      await app.close();
    }
  });
});
