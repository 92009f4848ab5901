import { randomUUID } from 'node:crypto';
import { type LeadEventType, schemaVersionOf } from '@lead-lifecycle/domain';
import type { NewEvent } from '@lead-lifecycle/eventing';

/**
 * A lead event as an older build (or a bug) could have written it: no decider, `data` exactly as
 * given, so it may break the event's schema (a null score, a time that cannot be read, no lead id).
 * Built at the store's level, where `data` is any JSON object, so the tests that write poison need no
 * cast; the envelope is the one toNewEvents gives (current schema version, the event's time as its
 * occurredAt, a fresh correlation), from the actor `old-build`.
 */
export function rawLeadEvent(tenantId: string, type: LeadEventType, data: Record<string, unknown> & { readonly occurredAt: string }): NewEvent {
  return {
    eventId: randomUUID(),
    type,
    schemaVersion: schemaVersionOf(type),
    data,
    metadata: { tenantId, occurredAt: data.occurredAt, actor: 'old-build', correlationId: randomUUID(), causationId: randomUUID() },
  };
}
