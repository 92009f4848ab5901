/**
 * A consumer of the relay's topic with the domain package's typed decoder (README, Embedding, Typed
 * consumers): the engine runs commands, the relay publishes them to the real local broker
 * (test/support/kafka), and every message consumed decodes to a typed event equal to what the store holds.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import { DEFAULT_LIFECYCLE_CONFIG, decodeLifecycleMessage, type LifecycleMessage } from '@lead-lifecycle/domain';
import { EVENT_STORE, type EventStore, positionToString, ProcessorRunner, SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import { CaptureLeadCommand, EngineConfig, LeadLifecycleModule, RecordEngagementCommand } from '@lead-lifecycle/lifecycle';
import { KafkaConfig } from './kafka.config';
import { KafkaRelayProcessor } from './kafka-relay.processor';

jest.setTimeout(120_000);

const NOW = '2026-03-02T10:00:00.000Z';
const context = (tenantId: string) => ({ tenantId, actor: 'user:alice', correlationId: randomUUID(), causationId: randomUUID(), command: 'test' });

describe('a typed consumer of the relay’s topic (decodeLifecycleMessage)', () => {
  let dataDir: string;
  let app: INestApplicationContext;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'typed-consumer-'));
    @Module({ imports: [LeadLifecycleModule.forRoot({ engine: EngineConfig.fromEnv({ DATA_DIR: dataDir, PROCESSORS_IN: 'main' }), lifecycleConfig: DEFAULT_LIFECYCLE_CONFIG, clock: { now: () => new Date(NOW) } })] })
    class EngineModule {}
    app = await NestFactory.createApplicationContext(EngineModule, { logger: false });
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('decodes every message the relay publishes into the stored event, typed and in today’s version', async () => {
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers) throw new Error(`no Kafka broker for this test: ${process.env.KAFKA_UNAVAILABLE_REASON ?? 'KAFKA_BROKERS is not set'}`);
    const commands = app.get(CommandBus);
    for (const [tenant, email] of [['acme', 'dana@example.org'], ['globex', 'sam@example.com']]) {
      const { leadId } = await commands.execute(
        new CaptureLeadCommand({ contact: { email, firstName: 'Dana' }, jobTitle: 'VP Engineering', source: { channel: 'web_form' }, occurredAt: NOW }, context(tenant)),
      );
      for (const activityType of ['demo_request', 'pricing_page_view', 'webinar_attended']) {
        await commands.execute(new RecordEngagementCommand(leadId, { activityType, occurredAt: NOW }, context(tenant)));
      }
    }
    const store = app.get<EventStore>(EVENT_STORE);
    const topic = `typed-consumer-${randomUUID()}`;
    const relay = new KafkaRelayProcessor(KafkaConfig.fromEnv({ KAFKA_BROKERS: brokers, KAFKA_TOPIC: topic, KAFKA_TOPIC_PARTITIONS: '3' }));
    // What the relay publishes: its streams' events (not the store's identity reservations).
    const stored = (await store.readAll()).filter((event) => relay.streamPrefixes.some((prefix) => event.streamId.startsWith(prefix)));
    const checkpoints = new SqliteCheckpointStore(':memory:');
    const consumer = new Kafka({ clientId: `typed-consumer-${randomUUID()}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING }).consumer({
      groupId: `typed-consumer-${randomUUID()}`,
      retry: { retries: 20 },
    });
    const received: KafkaMessage[] = [];
    try {
      await new ProcessorRunner(store, checkpoints, relay, { batchSize: 1000, poisonPolicy: 'park', log: () => undefined }).catchUp();
      expect(relay.published).toBe(stored.length);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      // The message exactly as kafkajs delivers it: Buffers for the value and the headers.
      await consumer.run({ eachMessage: async ({ message }) => void received.push(message) });
      const deadline = Date.now() + 60_000;
      while (new Set(received.map((m) => m.headers?.ce_id?.toString())).size < stored.length) {
        if (Date.now() > deadline) throw new Error(`consumed ${received.length} of ${stored.length} messages in 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await consumer.disconnect();
      await relay.disconnect();
      checkpoints.close();
    }

    const decoded = new Map<string, LifecycleMessage>(received.map((message) => decodeLifecycleMessage(message)).map((message) => [message.id, message]));
    expect(decoded.size).toBe(stored.length);
    expect([...new Set(stored.map((event) => event.type))]).toEqual(expect.arrayContaining(['LeadCaptured', 'ScoreChanged', 'EngagementRecorded', 'QualifiedAsMQL']));
    for (const event of stored) {
      const message = decoded.get(event.eventId)!;
      expect({ type: message.type, schemaVersion: message.schemaVersion, data: message.data }).toEqual({ type: event.type, schemaVersion: event.schemaVersion, data: event.data });
      expect([message.tenantId, message.streamId, message.streamRevision, message.position]).toEqual([
        event.metadata.tenantId,
        event.streamId,
        event.revision,
        positionToString(event.position),
      ]);
    }
    const captured = [...decoded.values()].find((message) => message.type === 'LeadCaptured');
    if (captured?.type !== 'LeadCaptured') throw new Error('no LeadCaptured consumed');
    // Typed: the capture's payload carries the contact in clear (the relay's processor reads it open).
    expect(captured.data.contact.email).toMatch(/@example\.(org|com)$/);
  });
});
