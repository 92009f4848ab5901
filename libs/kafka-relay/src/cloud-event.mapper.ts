import { positionToString, StoredEvent } from '@lead-lifecycle/event-store';

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

export function toCloudEvent(event: StoredEvent, sourcePrefix: string): CloudEventMessage {
  const leadId = leadIdOf(event);
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
      ce_time: m.occurredAt,
      ce_dataschema: `urn:lead-lifecycle:event:${event.type}:v${event.schemaVersion}`,
      'content-type': 'application/json',
      // Extension attributes (lower-case letters and digits only, as CloudEvents requires).
      ce_position: positionToString(event.position),
      ce_tenantid: m.tenantId,
      ce_streamid: event.streamId,
      ce_streamrevision: event.revision.toString(),
      ce_recordedtime: m.recordedAt,
      ce_actor: m.actor,
      ce_correlationid: m.correlationId,
      ce_causationid: m.causationId,
    },
  };
}
