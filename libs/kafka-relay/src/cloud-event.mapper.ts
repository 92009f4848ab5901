import { parseBusinessTime, TEAM_STREAM_PREFIX } from '@lead-lifecycle/domain';
import { positionToString, type StoredEvent } from '@lead-lifecycle/eventing';

/** A Kafka message in CloudEvents 1.0 binary content mode: attributes in `ce_` headers, data as the value. */
export interface CloudEventMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

export const ceType = (type: string, schemaVersion: number) => `lead-lifecycle.${type}.v${schemaVersion}`;

/** The lead a lead or opportunity event belongs to: the message key, so one lead's journey keeps its order. */
export function leadIdOf(event: StoredEvent): string {
  const leadId = event.data.leadId;
  if (typeof leadId !== 'string' || !leadId) throw new Error(`event ${event.eventId} (${event.type}) has no leadId`);
  return leadId;
}

/**
 * CloudEvents times must be RFC 3339. The relay reads the store through the upcasting decorator, so
 * `occurredAt` arrives normalised (legacy ISO 8601 forms rewritten); both times go through the
 * engine's one parser again so that any RFC 3339 form the store hands over (an adapter's own
 * recordedAt) leaves in the one UTC form.
 */
const rfc3339 = (time: string) => parseBusinessTime(time) ?? time;

/**
 * The message key and subject: the lead for lead and opportunity events; for team events (which name no
 * lead) the team's stream id `team-<tenantId>.<teamId>`, so one team's changes keep their order.
 */
export function messageKeyOf(event: StoredEvent): string {
  return event.streamId.startsWith(TEAM_STREAM_PREFIX) ? event.streamId : leadIdOf(event);
}

export function toCloudEvent(event: StoredEvent, sourcePrefix: string): CloudEventMessage {
  const leadId = messageKeyOf(event);
  const m = event.metadata;
  return {
    key: leadId,
    value: JSON.stringify(event.data),
    headers: {
      ce_specversion: '1.0',
      ce_id: event.eventId,
      ce_source: `${sourcePrefix}/tenants/${encodeURIComponent(m.tenantId)}`,
      ce_type: ceType(event.type, event.schemaVersion),
      ce_subject: leadId,
      ce_time: rfc3339(m.occurredAt),
      ce_dataschema: `urn:lead-lifecycle:event:${event.type}:v${event.schemaVersion}`,
      'content-type': 'application/json',
      // Extension attributes (lower-case letters and digits only, as CloudEvents requires).
      ce_position: positionToString(event.position),
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
