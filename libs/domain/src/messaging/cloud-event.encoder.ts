import { parseBusinessTime } from '../shared/business-time';
import { TEAM_STREAM_PREFIX } from '../team/team.events';
import { ceDataSchema, ceType, type CloudEventMessage } from './cloud-event-message';

/** What the relay publishes of a stored event: the store's StoredEvent, its position as text. */
export interface PublishableEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly revision: bigint | number;
  /** The store's global position as text (positionToString of the eventing package). */
  readonly position: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: {
    readonly tenantId: string;
    readonly occurredAt: string;
    readonly recordedAt: string;
    readonly actor: string;
    readonly correlationId: string;
    readonly causationId: string;
  };
}

/** The lead a lead or opportunity event belongs to: the message key, so one lead's journey keeps its order. */
export function leadIdOf(event: Pick<PublishableEvent, 'eventId' | 'type' | 'data'>): string {
  const leadId = event.data.leadId;
  if (typeof leadId !== 'string' || !leadId) throw new Error(`event ${event.eventId} (${event.type}) has no leadId`);
  return leadId;
}

/**
 * The message key and subject: the lead for lead and opportunity events; for team events (which name no
 * lead) the team's stream id `team-<tenantId>.<teamId>`, so one team's changes keep their order.
 */
export function messageKeyOf(event: Pick<PublishableEvent, 'eventId' | 'type' | 'data' | 'streamId'>): string {
  return event.streamId.startsWith(TEAM_STREAM_PREFIX) ? event.streamId : leadIdOf(event);
}

/**
 * CloudEvents times must be RFC 3339. The relay reads the store through the upcasting decorator, so
 * `occurredAt` arrives normalised (legacy ISO 8601 forms rewritten); both times go through the
 * engine's one parser again so that any RFC 3339 form the store hands over (an adapter's own
 * recordedAt) leaves in the one UTC form.
 */
const rfc3339 = (time: string) => parseBusinessTime(time) ?? time;

/**
 * The Kafka message of an event, as the relay publishes it (CloudEvents binary content mode). Throws for
 * a lead or opportunity event without a leadId (poison to the relay: it cannot be keyed).
 */
export function toCloudEventMessage(event: PublishableEvent, sourcePrefix: string): CloudEventMessage {
  const key = messageKeyOf(event);
  const m = event.metadata;
  return {
    key,
    value: JSON.stringify(event.data),
    headers: {
      ce_specversion: '1.0',
      ce_id: event.eventId,
      ce_source: `${sourcePrefix}/tenants/${encodeURIComponent(m.tenantId)}`,
      ce_type: ceType(event.type, event.schemaVersion),
      ce_subject: key,
      ce_time: rfc3339(m.occurredAt),
      ce_dataschema: ceDataSchema(event.type, event.schemaVersion),
      'content-type': 'application/json',
      ce_position: event.position,
      ce_tenantid: m.tenantId,
      ce_streamid: event.streamId,
      ce_streamrevision: event.revision.toString(),
      ce_recordedtime: rfc3339(m.recordedAt),
      ce_actor: m.actor,
      ce_correlationid: m.correlationId,
      ce_causationid: m.causationId,
    },
  };
}
