import { positionToString, type StoredEvent } from '@lead-lifecycle/eventing';

/**
 * What the Live page shows of an event: what happened, to which lead, when, by whom and why. No payload,
 * so no personal data ever reaches the stream, whatever the event type.
 */
export interface LiveEvent {
  readonly eventId: string;
  readonly type: string;
  readonly streamId: string;
  readonly position: string;
  readonly leadId?: string;
  readonly opportunityId?: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly actor: string;
  readonly actorName?: string;
  readonly causationId: string;
}

export function toLiveEvent(event: StoredEvent): LiveEvent {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    eventId: event.eventId,
    type: event.type,
    streamId: event.streamId,
    position: positionToString(event.position),
    leadId: text(event.data.leadId),
    opportunityId: text(event.data.opportunityId),
    occurredAt: event.metadata.occurredAt,
    recordedAt: event.metadata.recordedAt,
    actor: event.metadata.actor,
    actorName: text(event.metadata.actorName),
    causationId: event.metadata.causationId,
  };
}
