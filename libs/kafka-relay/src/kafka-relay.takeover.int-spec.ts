import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  type EventProcessor,
  type EventStore,
  type GlobalPosition,
  LeaseKeeper,
  PostgresCheckpointStore,
  PostgresLeaseStore,
  ProcessorRunner,
  SqliteCheckpointStore,
  SqliteEventStore,
  type StoredEvent,
} from '@lead-lifecycle/eventing';
import { KafkaConfig } from './kafka.config';
import { KafkaRelayProcessor } from './kafka-relay.processor';
import { rawLeadEvent } from '../../../test/support/raw-lead-event';
import { freshDatabase, type FreshDatabase } from '../../../test/support/postgres/fresh-database';
import { KillableLeaseStore } from '../../../test/support/lease/lease-recorder';
import { TopicReader } from '../../../test/support/topic-reader';

jest.setTimeout(180_000);

const TTL = 600;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One batch a relay instance published: who, under which lease term, which events. */
interface Publication {
  readonly instance: string;
  readonly term: number | undefined;
  readonly eventIds: readonly string[];
}

/** The relay of one instance, recording the term of its lease at every batch it publishes. */
class RecordingRelay implements EventProcessor {
  readonly name: string;
  readonly streamPrefixes: readonly string[];
  readonly personalData = 'open' as const;

  constructor(
    private readonly relay: KafkaRelayProcessor,
    private readonly instance: string,
    private readonly lease: LeaseKeeper,
    private readonly log: Publication[],
  ) {
    this.name = relay.name;
    this.streamPrefixes = relay.streamPrefixes;
  }

  async handleBatch(events: StoredEvent[], checkpoint: GlobalPosition, after: GlobalPosition): Promise<void> {
    const term = this.lease.held()?.term;
    // Slow batches, so the holder is stopped in the middle of the stream.
    await sleep(15);
    await this.relay.handleBatch(events);
    if (events.length) this.log.push({ instance: this.instance, term, eventIds: events.map((e) => e.eventId) });
    void checkpoint;
    void after;
  }
}

describe('the Kafka relay in a fleet: one publisher at a time, a takeover from the shared checkpoint', () => {
  let db: FreshDatabase;
  beforeAll(async () => (db = await freshDatabase()));
  afterAll(() => db?.drop());

  it('publishes every event at least once with per-lead order intact when the holder dies mid-stream, never two publishers in one term', async () => {
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers) throw new Error(`no Kafka broker for this test: ${process.env.KAFKA_UNAVAILABLE_REASON ?? 'KAFKA_BROKERS is not set'}`);
    const topic = `takeover-${randomUUID()}`;
    const config = KafkaConfig.fromEnv({ KAFKA_BROKERS: brokers, KAFKA_TOPIC: topic, KAFKA_TOPIC_PARTITIONS: '3' });
    const store: EventStore = new SqliteEventStore({ filename: ':memory:' });
    const leads = Array.from({ length: 6 }, () => randomUUID());
    const appended = new Map<string, string[]>(leads.map((lead) => [lead, []]));
    const append = async (rounds: number) => {
      for (let r = 0; r < rounds; r++) {
        for (const lead of leads) {
          const event = rawLeadEvent('acme', 'LeadAssigned', { leadId: lead, ownerId: `rep-${r}`, occurredAt: '2026-03-01T00:00:00.000Z' });
          await store.appendToStream(`lead-${lead}`, [event], 'any');
          appended.get(lead)!.push(event.eventId);
        }
      }
    };
    await append(10);

    const publications: Publication[] = [];
    const failures = new SqliteCheckpointStore(':memory:');
    const instance = async (id: string) => {
      const pool = new Pool({ connectionString: db.url, max: 3 });
      pool.on('error', () => undefined);
      const leaseStore = new KillableLeaseStore(await PostgresLeaseStore.open(pool));
      const lease = new LeaseKeeper(leaseStore, 'relay:kafka', id, { ttlMs: TTL, log: () => undefined });
      const relay = new KafkaRelayProcessor(config);
      const checkpoints = await PostgresCheckpointStore.open(pool, lease, failures);
      const runner = new ProcessorRunner(store, failures, new RecordingRelay(relay, id, lease, publications), {
        batchSize: 5,
        poisonPolicy: 'park',
        idleWaitMs: 50,
        lease,
        checkpoints,
        log: () => undefined,
      });
      return { id, pool, leaseStore, lease, relay, runner };
    };
    const a = await instance('a');
    const b = await instance('b');
    const reader = new TopicReader(config.brokers, topic);
    try {
      a.runner.start();
      while (!publications.some((p) => p.instance === 'a')) await sleep(10);
      b.runner.start();
      const appending = append(20);
      // A few batches in, the holder dies: no renewal, no release, no clean stop of its batch.
      while (publications.filter((p) => p.instance === 'a').length < 4) await sleep(5);
      a.leaseStore.kill();
      await appending;
      await append(10);
      const total = [...appended.values()].flat();
      await reader.start();
      await reader.waitFor((messages) => new Set(messages.map((m) => m.headers.ce_id)).size >= total.length, 60_000, 'every event on the topic');

      // Every event at least once.
      const seen = new Set(reader.messages.map((m) => m.headers.ce_id));
      expect(total.filter((id) => !seen.has(id))).toEqual([]);
      // Per lead, the first arrival of each event is in the lead's order.
      for (const lead of leads) {
        const order = reader
          .distinct()
          .filter((m) => m.key === lead)
          .map((m) => m.headers.ce_id);
        expect(order).toEqual(appended.get(lead));
      }
      // Both instances published, each batch under a term it held, and no term had two publishers.
      expect(new Set(publications.map((p) => p.instance))).toEqual(new Set(['a', 'b']));
      expect(publications.every((p) => p.term !== undefined)).toBe(true);
      const publishersByTerm = new Map<number, Set<string>>();
      for (const p of publications) publishersByTerm.set(p.term!, (publishersByTerm.get(p.term!) ?? new Set()).add(p.instance));
      expect([...publishersByTerm.values()].every((publishers) => publishers.size === 1)).toBe(true);
      expect(b.runner.status().lease).toMatchObject({ name: 'relay:kafka', held: true });
      expect(b.runner.status().lease!.term).toBeGreaterThan(Math.min(...publishersByTerm.keys()));
      expect(a.runner.status().lease).toMatchObject({ held: false });
      // The shared checkpoint is at the head, moved by the holder of the last term.
      const row = await db.pool.query<{ holder: string; term: string }>("SELECT holder, term FROM checkpoints WHERE name = 'relay:kafka'");
      expect(row.rows[0].holder).toBe(b.lease.holder);
      const duplicates = reader.messages.length - seen.size;
      process.stdout.write(`[takeover] ${total.length} events, ${reader.messages.length} messages (${duplicates} duplicates), terms ${[...publishersByTerm.keys()].join(',')}\n`);
    } finally {
      await reader.stop();
      a.leaseStore.revive();
      await b.runner.stop();
      await a.runner.stop();
      await a.relay.disconnect();
      await b.relay.disconnect();
      await a.pool.end();
      await b.pool.end();
      failures.close();
      await store.close();
    }
  });
});
