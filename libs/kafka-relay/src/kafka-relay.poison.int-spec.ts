import { randomUUID } from 'node:crypto';
import { type EventStore, SqliteEventStore } from '@lead-lifecycle/eventing';
import { ProcessorRunner, SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import { KafkaConfig } from './kafka.config';
import { KafkaRelayProcessor, RelayUnavailableError } from './kafka-relay.processor';
import { rawLeadEvent } from '../../../test/support/raw-lead-event';

jest.setTimeout(120_000);

/** Appends one LeadAssigned as it is (no decider), with `data` as given: an older build could write a bad one. */
async function appendRaw(store: EventStore, streamId: string, tenantId: string, data: Record<string, unknown>): Promise<string> {
  const raw = rawLeadEvent(tenantId, 'LeadAssigned', { ...data, occurredAt: '2026-03-01T00:00:00.000Z' });
  await store.appendToStream(streamId, [raw], 'any');
  return raw.eventId;
}

describe('the Kafka relay and a poison event (one it cannot map: no lead id to key it by)', () => {
  it('refuses the event as poison, not as an unavailable broker, before it connects', async () => {
    const relay = new KafkaRelayProcessor(KafkaConfig.fromEnv({ KAFKA_BROKERS: '127.0.0.1:1' }));
    const store = new SqliteEventStore({ filename: ':memory:' });
    await appendRaw(store, 'lead-nobody', 'acme', { ownerId: 'x' });
    const failure = await relay.handleBatch(await store.readAll()).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(RelayUnavailableError);
    expect((failure as { retryable?: boolean }).retryable).toBeUndefined();
    expect(String(failure)).toContain('has no leadId');
    await store.close();
  });

  it("under 'park' (its policy) skips and records it, and publishes every other tenant's events", async () => {
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers) throw new Error(`no Kafka broker for this test: ${process.env.KAFKA_UNAVAILABLE_REASON ?? 'KAFKA_BROKERS is not set'}`);
    const store = new SqliteEventStore({ filename: ':memory:' });
    for (let i = 0; i < 6; i++) await appendRaw(store, `lead-l${i}`, i % 2 ? 'globex' : 'acme', { leadId: `l${i}`, ownerId: 'rep' });
    const poisonId = await appendRaw(store, 'lead-nobody', 'acme', { ownerId: 'x' });
    for (let i = 6; i < 12; i++) await appendRaw(store, `lead-l${i}`, i % 2 ? 'globex' : 'acme', { leadId: `l${i}`, ownerId: 'rep' });

    const relay = new KafkaRelayProcessor(KafkaConfig.fromEnv({ KAFKA_BROKERS: brokers, KAFKA_TOPIC: `poison-${randomUUID()}`, KAFKA_TOPIC_PARTITIONS: '1' }));
    const checkpoints = new SqliteCheckpointStore(':memory:');
    try {
      await new ProcessorRunner(store, checkpoints, relay, { batchSize: 1000, poisonPolicy: 'park', log: () => undefined }).catchUp();
      expect(checkpoints.load(relay.name)).toEqual(await store.headPosition());
      expect(checkpoints.failures(relay.name).map((f) => [f.eventId, f.action])).toEqual([[poisonId, 'parked']]);
      expect(relay.published).toBe(12); // every event of both tenants, before and after the poison one
    } finally {
      await relay.disconnect();
      checkpoints.close();
      await store.close();
    }
  });
});
