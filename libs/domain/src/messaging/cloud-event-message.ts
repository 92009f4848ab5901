/**
 * The Kafka contract of the engine's events (README, Embedding, Typed consumers): CloudEvents 1.0 in
 * binary content mode, the attributes in `ce_*` headers and the event's payload as the JSON value. The
 * relay writes it (toCloudEventMessage) and consumers read it (decodeLifecycleMessage), from this one
 * definition.
 */

/** `ce_type` of an event: `lead-lifecycle.<Type>.v<schemaVersion>`. */
export const CE_TYPE_PREFIX = 'lead-lifecycle.';

export const ceType = (type: string, schemaVersion: number): string => `${CE_TYPE_PREFIX}${type}.v${schemaVersion}`;

/** `ce_dataschema` of an event: names the JSON Schema shipped as `@lead-lifecycle/domain/schemas/events/<Type>.v<version>.json`. */
export const ceDataSchema = (type: string, schemaVersion: number): string => `urn:lead-lifecycle:event:${type}:v${schemaVersion}`;

/** The headers the relay writes on every message. */
export interface CloudEventHeaders {
  readonly ce_specversion: string;
  readonly ce_id: string;
  readonly ce_source: string;
  readonly ce_type: string;
  readonly ce_subject: string;
  readonly ce_time: string;
  readonly ce_dataschema: string;
  readonly 'content-type': string;
  // Extension attributes (lower-case letters and digits only, as CloudEvents requires).
  readonly ce_position: string;
  readonly ce_tenantid: string;
  readonly ce_streamid: string;
  readonly ce_streamrevision: string;
  readonly ce_recordedtime: string;
  readonly ce_actor: string;
  readonly ce_correlationid: string;
  readonly ce_causationid: string;
}

/** A message as the relay hands it to the producer: the key, the JSON value, the headers. */
export interface CloudEventMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: CloudEventHeaders & Record<string, string>;
}

/** A header value as a Kafka client delivers it (kafkajs: a Buffer, a string, a list of them, or nothing). */
export type KafkaHeaderValue = Buffer | string | readonly (Buffer | string)[] | undefined;

/**
 * A Kafka message as a consumer receives it, structurally (kafkajs's KafkaMessage fits), so the domain
 * package needs no Kafka client.
 */
export interface ReceivedKafkaMessage {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, KafkaHeaderValue>>;
}
