import { CompressionTypes, Kafka, logLevel, type Producer } from 'kafkajs';
import { AGGREGATE_STREAM_PREFIXES, TEAM_STREAM_PREFIX } from '@lead-lifecycle/domain';
import { type EventProcessor, type Lease, type StoredEvent } from '@lead-lifecycle/eventing';
import { toCloudEvent } from './cloud-event.mapper';
import { type KafkaConfig } from './kafka.config';

/** The broker did not take a batch; the runner keeps the checkpoint and retries with backoff. */
export class RelayUnavailableError extends Error {
  readonly retryable = true;
}

/**
 * Publishes every lead, opportunity and team event, in the store's global order, to one Kafka topic keyed by
 * lead id (team events by their stream id). It runs as a checkpointed processor: the checkpoint moves only after the broker acknowledged
 * the batch from all in-sync replicas (acks = -1), with the idempotent producer. Delivery is at least
 * once: after a crash between the acknowledgement and the checkpoint, a batch is sent again, and
 * consumers drop the duplicates by `ce_id`.
 */
export class KafkaRelayProcessor implements EventProcessor {
  readonly name = 'relay:kafka';
  readonly streamPrefixes = [...AGGREGATE_STREAM_PREFIXES, TEAM_STREAM_PREFIX];
  readonly personalData = 'open'; // the published CloudEvents carry the contact
  private readonly kafka: Kafka;
  private producer?: Producer;
  private topicReady = false;
  /** The lease the relay publishes under, named in every message it sends (see {@link publishUnder}). */
  private lease?: Pick<Lease, 'held'>;
  published = 0;

  constructor(private readonly config: KafkaConfig) {
    this.kafka = new Kafka({
      clientId: config.KAFKA_CLIENT_ID,
      brokers: config.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      requestTimeout: 10000,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 2000 },
    });
  }

  /**
   * Names the lease this relay publishes under in every message (`ce_llpublisher`, `ce_llterm`), read
   * once per batch: a consumer (or an audit of the topic) can check that no term had two publishers.
   */
  publishUnder(lease: Pick<Lease, 'held'>): void {
    this.lease = lease;
  }

  async handleBatch(events: StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const grant = this.lease?.held();
    const publisher = grant ? { ce_llpublisher: grant.holder, ce_llterm: String(grant.term) } : {};
    // Mapped before anything is sent, and outside the retry below: an event that cannot be mapped (no
    // lead id to key it by) is poison, not an unavailable broker, so the runner parks it instead of
    // retrying it forever and holding back every tenant's events.
    const messages = events.map((event) => {
      const message = toCloudEvent(event, this.config.CLOUDEVENTS_SOURCE);
      return { ...message, headers: { ...message.headers, ...publisher }, timestamp: String(Date.parse(event.metadata.recordedAt)) };
    });
    try {
      const producer = await this.connect();
      const size = this.config.KAFKA_RELAY_BATCH_SIZE;
      for (let i = 0; i < messages.length; i += size) {
        await producer.send({
          topic: this.config.KAFKA_TOPIC,
          acks: -1,
          compression: this.config.KAFKA_COMPRESSION === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
          messages: messages.slice(i, i + size),
        });
      }
      this.published += events.length;
    } catch (error) {
      await this.disconnect();
      throw new RelayUnavailableError(`Kafka did not take ${events.length} events: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Creates the topic when it is missing, with the configured partition count. */
  async ensureTopic(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(this.config.KAFKA_TOPIC)) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: this.config.KAFKA_TOPIC,
              numPartitions: this.config.KAFKA_TOPIC_PARTITIONS,
              replicationFactor: this.config.KAFKA_REPLICATION_FACTOR,
            },
          ],
        });
      }
      this.topicReady = true;
    } finally {
      await admin.disconnect();
    }
  }

  private async connect(): Promise<Producer> {
    if (this.producer) return this.producer;
    if (!this.topicReady) await this.ensureTopic();
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}
