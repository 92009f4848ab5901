import { SQLITE_EVENT_STORE_SCHEMA } from '@lead-lifecycle/eventing';
import Database from 'better-sqlite3';

/** One event row as the embedded store keeps it. */
export interface EventRow {
  readonly position: number;
  readonly event_id: string;
  readonly stream_id: string;
  readonly stream_revision: number;
  readonly type: string;
  readonly schema_version: number;
  readonly data: string;
  readonly metadata: string;
}

/** The events of one append (one command on one stream), in the order the engine wrote them. */
export interface RowAppend {
  readonly streamId: string;
  readonly rows: EventRow[];
}

/**
 * Reads the engine's events (positions 1..upTo) in global order and groups them into the appends that
 * wrote them: consecutive rows of one stream with one causation id. Yields chunks of about `chunkEvents`.
 */
export function* readAppends(file: string, upTo: number, chunkEvents = 10_000): Generator<RowAppend[], void, undefined> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('SELECT position, event_id, stream_id, stream_revision, type, schema_version, data, metadata FROM events WHERE position <= ? ORDER BY position')
      .iterate(upTo) as IterableIterator<EventRow>;
    let chunk: RowAppend[] = [];
    let chunkSize = 0;
    let current: { streamId: string; causation: string; rows: EventRow[] } | undefined;
    for (const row of rows) {
      const causation = causationOf(row.metadata);
      if (current && current.streamId === row.stream_id && current.causation === causation) {
        current.rows.push(row);
      } else {
        if (current) {
          chunk.push({ streamId: current.streamId, rows: current.rows });
          chunkSize += current.rows.length;
          if (chunkSize >= chunkEvents) {
            yield chunk;
            chunk = [];
            chunkSize = 0;
          }
        }
        current = { streamId: row.stream_id, causation, rows: [row] };
      }
    }
    if (current) chunk.push({ streamId: current.streamId, rows: current.rows });
    if (chunk.length) yield chunk;
  } finally {
    db.close();
  }
}

function causationOf(metadata: string): string {
  const match = /"causationId":"([^"]*)"/.exec(metadata);
  return match ? match[1] : metadata;
}

/** The schema of the engine's events table, for the raw limit runs. */
export const RAW_SCHEMA = SQLITE_EVENT_STORE_SCHEMA;
