import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { settingsFromEnv, validateConfig } from '@lead-lifecycle/eventing';

/** Where and how lifecycle events are published. Read from the environment; Kafka is off without KAFKA_BROKERS. */
export class KafkaConfig {
  /** Comma-separated host:port list. Unset: no relay. */
  @IsOptional()
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  KAFKA_BROKERS?: string;

  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,249}$/, { message: 'KAFKA_TOPIC must be a valid Kafka topic name' })
  KAFKA_TOPIC: string = 'lead-lifecycle.events';

  /** Partitions of the topic when the relay creates it. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  KAFKA_TOPIC_PARTITIONS: number = 6;

  /** Replication factor when the relay creates the topic; -1 takes the broker's default. */
  @Type(() => Number)
  @IsInt()
  @Min(-1)
  @Max(32)
  KAFKA_REPLICATION_FACTOR: number = -1;

  @IsString()
  KAFKA_CLIENT_ID: string = 'lead-lifecycle';

  /** Events per produce request. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  KAFKA_RELAY_BATCH_SIZE: number = 1000;

  /** Run the relay inside the API process (default) or only in the separate relay app. */
  @Type(() => Boolean)
  @IsBoolean()
  KAFKA_RELAY_IN_PROCESS: boolean = true;

  /** CloudEvents source prefix; the tenant is appended: <prefix>/tenants/<tenantId>. */
  @IsString()
  CLOUDEVENTS_SOURCE: string = '/lead-lifecycle';

  @IsIn(['none', 'gzip'])
  KAFKA_COMPRESSION: 'none' | 'gzip' = 'none';

  get brokers(): string[] {
    return this.KAFKA_BROKERS ? this.KAFKA_BROKERS.split(',') : [];
  }

  get enabled(): boolean {
    return this.brokers.length > 0;
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): KafkaConfig {
    const plain = settingsFromEnv(KafkaConfig, env);
    // Implicit conversion would make the string "false" true: only the word true is.
    if (typeof plain.KAFKA_RELAY_IN_PROCESS === 'string') plain.KAFKA_RELAY_IN_PROCESS = plain.KAFKA_RELAY_IN_PROCESS === 'true';
    return validateConfig('kafka', KafkaConfig, plain);
  }
}
