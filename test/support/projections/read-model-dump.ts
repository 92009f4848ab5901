import type Database from 'better-sqlite3';
import {
  comparePositions,
  type EventStore,
  type GlobalPosition,
  type ReadAllOptions,
  type StoredEvent,
  type Subscription,
  type SubscribeOptions,
} from '@lead-lifecycle/eventing';

/** Tables that are not read models (checkpoints and failures are compared separately). */
const BOOKKEEPING = new Set(['checkpoints', 'processor_failures', 'sqlite_sequence']);

/**
 * Every read-model table of a database with its schema and its full content, rows ordered by all
 * columns, so two databases can be compared with one toEqual.
 */
export function dumpReadModels(db: Database.Database, tables?: readonly string[]): Record<string, { schema: string; rows: unknown[] }> {
  const names = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[]).filter(
    (name) => !BOOKKEEPING.has(name) && (!tables || tables.includes(name)),
  );
  const out: Record<string, { schema: string; rows: unknown[] }> = {};
  for (const name of names) {
    const columns = (db.prepare(`PRAGMA table_info(${name})`).all() as Array<{ name: string }>).map((c) => c.name);
    const schema = (db.prepare(`SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY name)`)
      .pluck()
      .get(name) ?? '') as string;
    out[name] = {
      schema: schema.replace(/\s+/g, ' '),
      rows: db.prepare(`SELECT * FROM ${name} ORDER BY ${columns.map((c) => `${c}`).join(', ')}`).all(),
    };
  }
  return out;
}

/** Checkpoint positions by processor name (without the update times). */
export function checkpointPositions(db: Database.Database, prefix = 'projection:'): Record<string, string> {
  const rows = db.prepare(`SELECT name, position FROM checkpoints WHERE name LIKE ? ORDER BY name`).all(`${prefix}%`) as Array<{
    name: string;
    position: string;
  }>;
  return Object.fromEntries(rows.map((r) => [r.name, r.position]));
}

/**
 * A view of a store that ends at `last` (inclusive) and may skip some events: used to fold "the events
 * up to a checkpoint" or "every event but the poison one" into a reference read model.
 */
export class TruncatedStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly last: GlobalPosition,
    private readonly skip: (event: StoredEvent) => boolean = () => false,
  ) {}

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const events = await this.inner.readAll({ after: options.after, maxCount: 100_000 });
    const kept: StoredEvent[] = [];
    for (const e of events) {
      if (comparePositions(e.position, this.last) > 0) break;
      if (!this.skip(e)) kept.push(e);
      if (kept.length >= (options.maxCount ?? 1000)) break;
    }
    return kept;
  }

  headPosition(): Promise<GlobalPosition> {
    return Promise.resolve(this.last);
  }

  appendToStream(): never {
    throw new Error('read only');
  }
  readStream(streamId: string): Promise<StoredEvent[]> {
    return this.inner.readStream(streamId);
  }
  subscribeToAll(_options?: SubscribeOptions): Subscription {
    throw new Error('not supported');
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
