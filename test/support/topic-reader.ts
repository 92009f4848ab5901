import { randomUUID } from 'node:crypto';
import { type Consumer, type IHeaders, Kafka, logLevel } from 'kafkajs';

export interface ReadMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: string;
  readonly value: unknown;
  /** The value as the broker delivered it, for parsers that want the bytes (the CloudEvents SDK). */
  readonly rawValue: string | null;
  readonly headers: Record<string, string>;
}

/** Consumes a topic from the beginning into memory, for assertions on what analytics teams would receive. */
export class TopicReader {
  readonly messages: ReadMessage[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly brokers: string[],
    private readonly topic: string,
  ) {}

  async start(): Promise<void> {
    const kafka = new Kafka({ clientId: `test-reader-${randomUUID()}`, brokers: this.brokers, logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: `test-${randomUUID()}`, retry: { retries: 20 } });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ partition, message }) => {
        this.messages.push({
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? '',
          value: JSON.parse(message.value?.toString() ?? 'null'),
          rawValue: message.value?.toString() ?? null,
          headers: headersOf(message.headers),
        });
      },
    });
  }

  async waitFor(predicate: (messages: ReadMessage[]) => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; have ${this.messages.length} messages`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Distinct events (by ce_id) in the order they first arrived, per partition. */
  distinct(): ReadMessage[] {
    const seen = new Set<string>();
    return this.messages.filter((m) => !seen.has(m.headers.ce_id) && seen.add(m.headers.ce_id));
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString() : String(v)]));
}

/** The brokers from globalSetup, or a loud failure with the reason they could not be had. */
export function brokersForTests(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    throw new Error(`KAFKA TESTS CANNOT RUN: ${process.env.KAFKA_UNAVAILABLE_REASON ?? 'KAFKA_BROKERS is not set and globalSetup provided no broker'}`);
  }
  return brokers.split(',');
}
