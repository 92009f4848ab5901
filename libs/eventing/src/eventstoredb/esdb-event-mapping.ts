import { jsonEvent, type JSONEventType, type EventData, type ResolvedEvent, type AllStreamResolvedEvent } from '@eventstore/db-client';
import type { EventMetadata, GlobalPosition, NewEvent, StoredEvent } from '../event-store.port';
import { EventStoreError, EventStoreErrorCode } from '../event-store.errors';

/**
 * How a port event is laid out in EventStoreDB:
 *  - EventStoreDB event id = NewEvent.eventId (the server prints it back lowercase),
 *  - event type = NewEvent.type, content type application/json, data = NewEvent.data as JSON,
 *  - metadata = JSON object with `$correlationId` / `$causationId` (the keys EventStoreDB's
 *    projections and UI understand), every field of the port's metadata (tenantId, occurredAt,
 *    actor, correlationId, causationId, command, ...), `recordedAt` (the writer's clock) and
 *    `schemaVersion` so that it round-trips.
 * Reading strips `$correlationId`, `$causationId` and `schemaVersion` from the metadata again.
 */
export const SYSTEM_METADATA_KEYS = ['$correlationId', '$causationId', 'schemaVersion'] as const;

/** The largest uint64: what EventStoreDB sends as the position of an event it has no $all position for. */
const NO_POSITION = 0xffff_ffff_ffff_ffffn;

/**
 * The client event for a port event. Data and metadata are checked to serialise to JSON here:
 * the client calls JSON.stringify inside an un-awaited async callback, so a BigInt or a cycle
 * there becomes an unhandled rejection and an append that never settles (BatchAppend) or hangs
 * until the deadline (unary Append).
 */
export function toEventData(event: NewEvent, recordedAt: string): EventData {
  const { recordedAt: _ignored, ...rest } = event.metadata;
  const metadata = {
    $correlationId: event.metadata.correlationId,
    $causationId: event.metadata.causationId,
    ...rest,
    recordedAt,
    schemaVersion: event.schemaVersion,
  };
  assertJsonObject(event, 'data', event.data);
  assertJsonObject(event, 'metadata', metadata);
  return jsonEvent<JSONEventType>({ id: event.eventId, type: event.type, data: event.data, metadata });
}

function assertJsonObject(event: NewEvent, what: string, value: unknown): void {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new EventStoreError(
      EventStoreErrorCode.InvalidEvent,
      `event ${event.eventId}: ${what} cannot be serialised to JSON (${(error as Error).message})`,
    );
  }
  if (!text || !text.startsWith('{')) {
    throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `event ${event.eventId}: ${what} must be a JSON object`);
  }
}

export function isSystemEvent(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}

export interface MappingOptions {
  /** Which time becomes `metadata.recordedAt` on read: the server's `created` (default) or the time the adapter wrote down. */
  readonly recordedAt: 'server' | 'writer';
}

/** Maps a read or subscription result, or undefined when there is no event (a link to a deleted event). */
export function toStoredEvent(resolved: ResolvedEvent | AllStreamResolvedEvent, options: MappingOptions): StoredEvent | undefined {
  const event = resolved.event;
  if (!event) return undefined;
  const raw = event.metadata;
  const meta: Record<string, unknown> = raw && typeof raw === 'object' && !(raw instanceof Uint8Array) && !Array.isArray(raw) ? { ...(raw as object) } : {};
  const schemaVersion = typeof meta.schemaVersion === 'number' ? meta.schemaVersion : 1;
  for (const key of SYSTEM_METADATA_KEYS) delete meta[key];
  const created = event.created instanceof Date && event.created.getTime() > 0 ? event.created.toISOString() : undefined;
  const written = typeof meta.recordedAt === 'string' ? meta.recordedAt : undefined;
  meta.recordedAt = (options.recordedAt === 'server' ? (created ?? written) : (written ?? created)) ?? new Date(0).toISOString();
  return {
    eventId: event.id,
    type: event.type,
    schemaVersion,
    streamId: event.streamId,
    revision: event.revision,
    position: toPosition(event.position, resolved.commitPosition),
    data: toData(event.isJson, event.data),
    metadata: meta as EventMetadata & { readonly recordedAt: string },
  };
}

/**
 * The event's $all position. EventStoreDB before 22.6 has none for events read from a stream and
 * sends uint64 max instead; such events get {-1, -1} (unknown) rather than a position that would
 * sort after everything.
 */
function toPosition(position: { commit: bigint; prepare: bigint } | undefined, commitPosition: bigint | undefined): GlobalPosition {
  if (position && position.commit !== NO_POSITION) return { commit: position.commit, prepare: position.prepare };
  if (commitPosition !== undefined && commitPosition !== NO_POSITION) return { commit: commitPosition, prepare: commitPosition };
  return { commit: -1n, prepare: -1n };
}

function toData(isJson: boolean, data: unknown): Record<string, unknown> {
  if (isJson) {
    if (data && typeof data === 'object') return data as Record<string, unknown>;
    return { value: data };
  }
  const bytes = data as Uint8Array;
  const text = Buffer.from(bytes).toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { base64: Buffer.from(bytes).toString('base64') };
  }
}
