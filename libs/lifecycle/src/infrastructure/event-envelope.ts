import { randomUUID } from 'node:crypto';
import { type DomainEvent, schemaVersionOf } from '@lead-lifecycle/domain';
import { type NewEvent } from '@lead-lifecycle/eventing';
import { type CommandContext } from './command-context';
import { deterministicUuid } from './deterministic-id';

/**
 * Wraps decided domain events into store events with metadata. With `idSeed` the event ids are
 * derived from it (for reactions, which must be idempotent), otherwise random.
 */
export function toNewEvents(events: readonly DomainEvent[], context: CommandContext, idSeed?: string): NewEvent[] {
  return events.map((event, index) => ({
    eventId: idSeed ? deterministicUuid(idSeed, event.type, String(index)) : randomUUID(),
    type: event.type,
    schemaVersion: schemaVersionOf(event.type),
    data: stripUndefined(event.data) as Record<string, unknown>,
    metadata: {
      tenantId: context.tenantId,
      occurredAt: event.data.occurredAt,
      actor: context.actor,
      ...(context.actorName ? { actorName: context.actorName } : {}),
      ...(context.onBehalfOf ? { onBehalfOf: context.onBehalfOf } : {}),
      correlationId: context.correlationId,
      causationId: context.causationId,
      ...(context.command ? { command: context.command } : {}),
    },
  }));
}

/**
 * Past this depth values are left as they are: the store refuses anything deeper than its limit
 * (at most 256, see EngineConfig.EVENT_MAX_DEPTH) with a 400, and a recursion this deep is safe.
 */
const STRIP_DEPTH = 300;

/**
 * Drops undefined fields so that what is stored equals what is read back, on every store. A value with
 * its own JSON form (a Date) is left as it is, for the store to refuse rather than to become `{}` here.
 */
function stripUndefined(value: unknown, depth = 0): unknown {
  if (depth > STRIP_DEPTH || typeof (value as { toJSON?: unknown })?.toJSON === 'function') return value;
  if (Array.isArray(value)) return value.map((v) => stripUndefined(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, stripUndefined(v, depth + 1)]),
    );
  }
  return value;
}
