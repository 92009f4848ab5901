/**
 * Kafka: the broker (provideKafka from the test support: KAFKA_BROKERS, else Docker, else Apache Kafka's
 * jars on a local KRaft broker), the raw producer limit, and a consumer that measures capture-to-consumer
 * latency from the `benchSentAt` stamp the load generator puts into each command.
 */
import Database from 'better-sqlite3';
import { CompressionTypes, type Consumer, Kafka, logLevel } from 'kafkajs';
import { positionFromString, type StoredEvent } from '@lead-lifecycle/eventing';
import { toCloudEvent } from '@lead-lifecycle/kafka-relay';
import { provideKafka } from '../test/support/kafka/kafka-test-broker';
import { type EventRow } from './lib/rows';
import { nowMs, Samples, wallMs } from './lib/stats';

export type Broker = { available: true; brokers: string[]; mode: string; stop(): Promise<void> } | { available: false; reason: string };

export async function startBroker(log: (line: string) => void): Promise<Broker> {
  try {
    const kafka = await provideKafka(log);
    if (!kafka.available) return { available: false, reason: kafka.reason };
    return { available: true, brokers: kafka.brokers, mode: kafka.mode, stop: () => kafka.stop() };
  } catch (error) {
    return { available: false, reason: `provideKafka failed: ${(error as Error).message.split('\n')[0]}` };
  }
}

function client(brokers: string[], id: string): Kafka {
  return new Kafka({ clientId: id, brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 30000 });
}

export async function createTopic(brokers: string[], topic: string, partitions: number): Promise<void> {
  const admin = client(brokers, 'bench-admin').admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: -1 }] });
  } finally {
    await admin.disconnect();
  }
}

/**
 * The limit of the relay: the same CloudEvents messages (built from the stored rows beforehand) sent by
 * a bare kafkajs producer configured as the relay's (idempotent, one request in flight, acks from all
 * in-sync replicas, 1,000 messages per request), with no store reads and no checkpoints.
 */
export async function producerLimit(brokers: string[], topic: string, engineFile: string, maxMessages: number): Promise<{ messages: number; seconds: number }> {
  const db = new Database(engineFile, { readonly: true });
  const rows = db
    .prepare("SELECT * FROM events WHERE stream_id LIKE 'lead-%' OR stream_id LIKE 'opportunity-%' ORDER BY position LIMIT ?")
    .all(maxMessages) as EventRow[];
  db.close();
  const messages = rows.map((row) => {
    const event: StoredEvent = {
      eventId: row.event_id,
      type: row.type,
      schemaVersion: row.schema_version,
      streamId: row.stream_id,
      revision: BigInt(row.stream_revision),
      position: positionFromString(String(row.position)),
      data: JSON.parse(row.data),
      metadata: JSON.parse(row.metadata),
    };
    return { ...toCloudEvent(event, '/lead-lifecycle'), timestamp: String(Date.parse(event.metadata.recordedAt)) };
  });
  await createTopic(brokers, topic, 6);
  const producer = client(brokers, 'bench-limit').producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const started = nowMs();
    for (let i = 0; i < messages.length; i += 1000) {
      await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: messages.slice(i, i + 1000) });
    }
    return { messages: messages.length, seconds: (nowMs() - started) / 1000 };
  } finally {
    await producer.disconnect();
  }
}

/** Reads the relay's topic from its end and records, for every stamped message, how long after the request it arrived. */
export class LatencyConsumer {
  readonly all = new Samples();
  readonly captures = new Samples();
  private consumer?: Consumer;

  constructor(
    private readonly brokers: string[],
    private readonly topic: string,
  ) {}

  async start(): Promise<void> {
    const consumer = client(this.brokers, 'bench-consumer').consumer({ groupId: `bench-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 100 });
    this.consumer = consumer;
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: false });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const at = wallMs();
        for (const message of batch.messages) {
          const value = message.value?.toString();
          if (!value || !value.includes('benchSentAt')) continue;
          const data = JSON.parse(value) as { attributes?: { benchSentAt?: number }; properties?: { benchSentAt?: number } };
          const sent = data.attributes?.benchSentAt ?? data.properties?.benchSentAt;
          if (typeof sent !== 'number') continue;
          this.all.add(at - sent);
          if (data.attributes?.benchSentAt !== undefined) this.captures.add(at - sent);
        }
      },
    });
    await joined;
  }

  async waitFor(count: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.all.count < count) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
