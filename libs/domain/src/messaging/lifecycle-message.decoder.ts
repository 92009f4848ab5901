import { LEAD_EVENT_DECODER } from '../lead/lead-event.decoder';
import { type LeadEvent } from '../lead/lead.events';
import { OPPORTUNITY_EVENT_DECODER } from '../opportunity/opportunity-event.decoder';
import { type OpportunityEvent } from '../opportunity/opportunity.events';
import { schemaVersionOf } from '../domain-events';
import { EventDecodingError } from '../shared/event-decoder';
import { TEAM_EVENT_DECODER } from '../team/team-event.decoder';
import { type TeamEvent } from '../team/team.events';
import { CE_TYPE_PREFIX, type KafkaHeaderValue, type ReceivedKafkaMessage } from './cloud-event-message';
import { LifecycleMessageError, LifecycleMessageErrorCode } from './lifecycle-message.errors';

/** Every event the relay publishes: lead, opportunity and team events. */
export type LifecycleEvent = LeadEvent | OpportunityEvent | TeamEvent;

/** The CloudEvents attributes of a message, as the relay wrote them. */
export interface LifecycleMessageAttributes {
  /** `ce_id`: the event's id; the relay delivers at least once, so drop duplicates by it. */
  readonly id: string;
  readonly source: string;
  /** The lead (team events: the team's stream id); also the message key. */
  readonly subject: string;
  /** Business time (RFC 3339, UTC). */
  readonly time: string;
  readonly recordedTime: string;
  readonly tenantId: string;
  readonly streamId: string;
  readonly streamRevision: bigint;
  /** The store's global position, as text (ordered within a partition). */
  readonly position: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
  /** The schema version the message was written in; `schemaVersion` is the one it was upcast to. */
  readonly writtenSchemaVersion: number;
}

type MessageOf<E> = E extends LifecycleEvent
  ? LifecycleMessageAttributes & { readonly type: E['type']; readonly schemaVersion: number; readonly data: E['data'] }
  : never;

/**
 * A decoded message: discriminated by `type` (narrowing `data` to that event's payload), in today's
 * schema version, with its CloudEvents attributes.
 */
export type LifecycleMessage = MessageOf<LifecycleEvent>;

const DECODERS = [LEAD_EVENT_DECODER, OPPORTUNITY_EVENT_DECODER, TEAM_EVENT_DECODER];

/** `lead-lifecycle.<Type>.v<version>`. */
const CE_TYPE = /^lead-lifecycle\.([A-Za-z][A-Za-z0-9]*)\.v([1-9][0-9]{0,8})$/;

function headerOf(message: ReceivedKafkaMessage, name: string): string | undefined {
  const value: KafkaHeaderValue = message.headers?.[name];
  // A header sent twice arrives as a list: the last one counts, as in most HTTP-style readers.
  const one = Array.isArray(value) ? (value as readonly (Buffer | string)[]).at(-1) : (value as Buffer | string | undefined);
  return one === undefined ? undefined : typeof one === 'string' ? one : one.toString('utf8');
}

function payloadOf(message: ReceivedKafkaMessage, type: string, version: number): Record<string, unknown> {
  const malformed = (why: string) => new LifecycleMessageError(LifecycleMessageErrorCode.MalformedMessage, `${type} v${version}: ${why}`, type, version);
  if (message.value === null) throw malformed('the message has no value');
  let data: unknown;
  try {
    data = JSON.parse(typeof message.value === 'string' ? message.value : message.value.toString('utf8'));
  } catch {
    throw malformed('the value is not JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw malformed('the value is not a JSON object');
  return data as Record<string, unknown>;
}

/**
 * A Kafka message of the engine's relay (CloudEvents binary content mode: `ce_*` headers, JSON value) as
 * a typed event in today's schema version: the type checked against the domain's catalogue, an older
 * version upcast with the same upcasters the engine applies when it reads its store. Takes the message
 * as a Kafka client delivers it (kafkajs's `eachMessage` `message` fits), so no Kafka client is needed here.
 *
 * Throws LifecycleMessageError: NOT_A_LIFECYCLE_EVENT for another producer's message, UNKNOWN_EVENT_TYPE
 * or UNKNOWN_SCHEMA_VERSION for an event a newer release wrote, MALFORMED_MESSAGE for a broken value or
 * missing header. The payload itself is not validated: the JSON Schemas ship in this package
 * (`@lead-lifecycle/domain/schemas/events/<Type>.v<n>.json`) for a consumer that wants to.
 */
export function decodeLifecycleMessage(message: ReceivedKafkaMessage): LifecycleMessage {
  const header = (name: string) => headerOf(message, name);
  const ceType = header('ce_type');
  if (header('ce_specversion') !== '1.0' || ceType === undefined || !ceType.startsWith(CE_TYPE_PREFIX)) {
    throw new LifecycleMessageError(LifecycleMessageErrorCode.NotALifecycleEvent, `not a lead-lifecycle CloudEvent (ce_type ${ceType ?? 'missing'})`);
  }
  const match = CE_TYPE.exec(ceType);
  if (!match) throw new LifecycleMessageError(LifecycleMessageErrorCode.NotALifecycleEvent, `ce_type ${ceType} is not lead-lifecycle.<Type>.v<version>`);
  const type = match[1];
  const writtenSchemaVersion = Number(match[2]);
  const decoder = DECODERS.find((candidate) => candidate.knows(type));
  if (!decoder) throw new LifecycleMessageError(LifecycleMessageErrorCode.UnknownType, `${type} is not an event this code knows`, type, writtenSchemaVersion);

  const required = (name: string): string => {
    const value = header(name);
    if (value === undefined) {
      throw new LifecycleMessageError(LifecycleMessageErrorCode.MalformedMessage, `${type} v${writtenSchemaVersion}: header ${name} is missing`, type, writtenSchemaVersion);
    }
    return value;
  };
  const attributes: LifecycleMessageAttributes = {
    id: required('ce_id'),
    source: required('ce_source'),
    subject: required('ce_subject'),
    time: required('ce_time'),
    recordedTime: required('ce_recordedtime'),
    tenantId: required('ce_tenantid'),
    streamId: required('ce_streamid'),
    streamRevision: revisionOf(required('ce_streamrevision'), type, writtenSchemaVersion),
    position: required('ce_position'),
    actor: required('ce_actor'),
    correlationId: required('ce_correlationid'),
    causationId: required('ce_causationid'),
    writtenSchemaVersion,
  };
  const data = payloadOf(message, type, writtenSchemaVersion);
  // The upcasters read the metadata's business time too: the message carries it as ce_time.
  const metadata = { tenantId: attributes.tenantId, occurredAt: attributes.time, actor: attributes.actor, correlationId: attributes.correlationId, causationId: attributes.causationId };
  let event: LifecycleEvent;
  try {
    event = decoder.decode({ type, schemaVersion: writtenSchemaVersion, data, metadata });
  } catch (error) {
    if (error instanceof EventDecodingError) {
      throw new LifecycleMessageError(LifecycleMessageErrorCode.UnknownVersion, error.message, type, writtenSchemaVersion);
    }
    throw error;
  }
  return { ...attributes, schemaVersion: schemaVersionOf(type), ...event };
}

function revisionOf(text: string, type: string, version: number): bigint {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) {
    throw new LifecycleMessageError(LifecycleMessageErrorCode.MalformedMessage, `${type} v${version}: ce_streamrevision ${text} is not a revision`, type, version);
  }
  return BigInt(text);
}
