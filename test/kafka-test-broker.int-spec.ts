import { randomUUID } from 'node:crypto';
import { type Consumer, type IHeaders, Kafka, type KafkaMessage, logLevel, Partitioners } from 'kafkajs';
import { type KafkaForTests, provideKafka } from './support/kafka/kafka-test-broker';

jest.setTimeout(120_000);

type Running = Extract<KafkaForTests, { available: true }>;

/** Reads `topic` from the beginning with a fresh group until `until` holds or the time runs out. */
async function consumeAll(
  kafka: Kafka,
  topic: string,
  until: (got: Array<{ partition: number; message: KafkaMessage }>) => boolean,
  timeoutMs = 30_000,
): Promise<Array<{ partition: number; message: KafkaMessage }>> {
  const got: Array<{ partition: number; message: KafkaMessage }> = [];
  const consumer: Consumer = kafka.consumer({ groupId: `g-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out consuming ${topic}: got ${got.length} messages`)), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            got.push({ partition, message });
            if (until(got)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

const header = (h: IHeaders | undefined, name: string) => h?.[name]?.toString();

describe('kafka test broker (provideKafka)', () => {
  let broker: Running;
  let kafka: Kafka;

  beforeAll(async () => {
    const lines: string[] = [];
    const k = await provideKafka((l) => lines.push(l), { ownBroker: true });
    if (!k.available) throw new Error(`provideKafka() found no Kafka broker: ${k.reason}`);
    broker = k;
    console.log(lines.join('\n'));
    kafka = new Kafka({ clientId: 'kafka-test-broker-spec', brokers: broker.brokers, logLevel: logLevel.NOTHING });
  }, 600_000); // the first run fetches the jars

  afterAll(async () => {
    await broker?.stop();
  });

  it('runs a broker that can be paused and resumed', () => {
    expect(broker.brokers.length).toBeGreaterThan(0);
    if (broker.mode === 'local-jars') {
      expect(broker.pause).toBeDefined();
      expect(broker.resume).toBeDefined();
    }
  });

  it('creates a 3-partition topic, produces keyed messages with headers (acks -1, idempotent) and consumes them back', async () => {
    const topic = `lead-events-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(true);
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0].partitions).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const keys = ['lead-1', 'lead-2', 'lead-3', 'lead-4', 'lead-5', 'lead-6'];
    const sent = keys.flatMap((key) =>
      [1, 2, 3].map((seq) => ({
        key,
        value: JSON.stringify({ leadId: key, seq }),
        headers: { 'event-type': 'LeadScored', 'correlation-id': `${key}-${seq}` },
      })),
    );
    try {
      const res = await producer.send({ topic, acks: -1, messages: sent });
      expect(res.every((r) => r.errorCode === 0)).toBe(true);
    } finally {
      await producer.disconnect();
    }

    const got = await consumeAll(kafka, topic, (g) => g.length >= sent.length);
    expect(got).toHaveLength(sent.length);

    const byKey = new Map<string, Array<{ partition: number; seq: number; type?: string; corr?: string }>>();
    for (const { partition, message } of got) {
      const key = message.key!.toString();
      const value = JSON.parse(message.value!.toString()) as { leadId: string; seq: number };
      expect(value.leadId).toBe(key);
      const list = byKey.get(key) ?? [];
      list.push({ partition, seq: value.seq, type: header(message.headers, 'event-type'), corr: header(message.headers, 'correlation-id') });
      byKey.set(key, list);
    }
    expect([...byKey.keys()].sort()).toEqual([...keys].sort());
    for (const [key, list] of byKey) {
      // Same key → same partition, in order, headers intact.
      expect(new Set(list.map((e) => e.partition)).size).toBe(1);
      expect(list.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(list.map((e) => e.type)).toEqual(['LeadScored', 'LeadScored', 'LeadScored']);
      expect(list.map((e) => e.corr)).toEqual([`${key}-1`, `${key}-2`, `${key}-3`]);
    }
    // 6 keys over 3 partitions: more than one partition is used.
    expect(new Set(got.map((g) => g.partition)).size).toBeGreaterThan(1);
  });

  it('keeps data across pause/resume on the same address', async () => {
    if (!broker.pause || !broker.resume) {
      throw new Error(`mode ${broker.mode} has no pause/resume`);
    }
    const topic = `crash-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'lead-42', value: 'before-pause', headers: { phase: 'before' } }] });
    await producer.disconnect();

    await broker.pause();

    // The broker is really gone.
    const probe = new Kafka({
      clientId: 'probe',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 500,
      retry: { retries: 0 },
    }).admin();
    await expect(probe.connect()).rejects.toThrow();
    await probe.disconnect().catch(() => {});

    await broker.resume();

    const after = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await after.connect();
    await after.send({ topic, acks: -1, messages: [{ key: 'lead-42', value: 'after-resume', headers: { phase: 'after' } }] });
    await after.disconnect();

    const got = await consumeAll(kafka, topic, (g) => g.length >= 2);
    expect(got.map((g) => g.message.value!.toString())).toEqual(['before-pause', 'after-resume']);
    expect(got.map((g) => header(g.message.headers, 'phase'))).toEqual(['before', 'after']);
    expect(got[0].message.key!.toString()).toBe('lead-42');
  });
});
