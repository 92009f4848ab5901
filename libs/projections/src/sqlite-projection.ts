import type Database from 'better-sqlite3';
import { comparePositions, type GlobalPosition, positionFromString, positionToString, START_POSITION, type StoredEvent } from '@lead-lifecycle/eventing';
import { CheckpointMovedError, type EventProcessor, type ProcessorFailure } from '@lead-lifecycle/eventing';
import { LeadQuarantine, leadIdOf } from './lead-quarantine';

/**
 * A read model kept in SQLite. `apply` runs inside the transaction that also moves the checkpoint, so
 * an event is counted exactly once even across crashes, restarts and rebuilds.
 */
export interface SqliteProjection {
  readonly name: string;
  /** Stream prefixes the projection reads; others only move its checkpoint. */
  readonly streamPrefixes: readonly string[];
  /** Tables it owns, dropped by a rebuild. */
  readonly tables: readonly string[];
  createTables(db: Database.Database): void;
  apply(db: Database.Database, event: StoredEvent): void;
  /**
   * Per-lead quarantine: whether `event`, applied to a lead after its event of type `poisonType` could
   * not be, makes the lead's rows whole again (it re-determines everything the skipped event would have
   * set), so the lead is released. Without it, only a rebuild releases a lead of this projection.
   */
  releases?(poisonType: string, event: StoredEvent): boolean;
}

export const projectionCheckpointName = (name: string) => `projection:${name}`;

/** Runs a SqliteProjection as an EventProcessor on the database that holds the checkpoints. */
export class SqliteProjectionProcessor implements EventProcessor {
  readonly commitsCheckpoint = true;
  readonly name: string;
  readonly streamPrefixes: readonly string[];
  /** The leads this projection holds quarantined (policy `quarantine`). */
  readonly quarantine: LeadQuarantine;
  private readonly readCheckpoint: Database.Statement;
  private readonly writeCheckpoint: Database.Statement;
  private readonly writeFailure: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    readonly projection: SqliteProjection,
  ) {
    this.name = projectionCheckpointName(projection.name);
    this.streamPrefixes = projection.streamPrefixes;
    projection.createTables(db);
    this.quarantine = new LeadQuarantine(db, this.name, projection.name);
    this.quarantine.createTable();
    this.readCheckpoint = db.prepare('SELECT position FROM checkpoints WHERE name = ?').pluck();
    this.writeCheckpoint = db.prepare(
      'INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at',
    );
    this.writeFailure = db.prepare(
      'INSERT INTO processor_failures (processor, position, event_id, event_type, error, action, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  async handleBatch(events: StoredEvent[], checkpoint: GlobalPosition, after: GlobalPosition): Promise<void> {
    // IMMEDIATE: take the write lock first, so two processes on one file never meet a stale snapshot.
    this.db.transaction(() => {
      this.assertCheckpointAt(after);
      // Later events of a quarantined lead are applied like any other; one that repairs what a held
      // poison event left releases it. The look is skipped when nothing is held or nothing can release.
      const releasing = this.projection.releases !== undefined && this.quarantine.any();
      for (const event of events) {
        this.projection.apply(this.db, event);
        if (releasing) this.releaseRepaired(event);
      }
      this.writeCheckpoint.run(this.name, positionToString(checkpoint), new Date().toISOString());
    }).immediate();
  }

  /**
   * Quarantines the lead of a poison event: holds the event against the lead, records the failure and
   * moves the checkpoint past the event, in one transaction. False for an event that names no lead.
   */
  async quarantineLead(event: StoredEvent, failure: ProcessorFailure, upTo: GlobalPosition, after: GlobalPosition): Promise<boolean> {
    const leadId = leadIdOf(event);
    if (!leadId) return false;
    this.db.transaction(() => {
      this.assertCheckpointAt(after);
      this.quarantine.hold(leadId, event, failure.error);
      const { processor, position, eventId, eventType, error, action, at } = failure;
      this.writeFailure.run(processor, position, eventId, eventType, error, action, at);
      this.writeCheckpoint.run(this.name, positionToString(upTo), new Date().toISOString());
    }).immediate();
    return true;
  }

  /**
   * Re-reads the checkpoint inside the transaction: another process (a rebuild, a second instance on the
   * same file) may have moved it since the batch was read. Only a batch that starts exactly where the
   * stored checkpoint ends is applied; otherwise the runner reloads and reads again.
   */
  private assertCheckpointAt(after: GlobalPosition): void {
    const stored = this.readCheckpoint.get(this.name) as string | undefined;
    const done = stored === undefined ? START_POSITION : positionFromString(stored);
    if (comparePositions(done, after) !== 0) throw new CheckpointMovedError(this.name, done, after);
  }

  private releaseRepaired(event: StoredEvent): void {
    const leadId = leadIdOf(event);
    if (!leadId) return;
    const repaired = this.quarantine.heldFor(leadId).filter((held) => this.projection.releases!(held.type, event));
    this.quarantine.release(repaired.map((held) => held.eventId));
  }

  /** Drops the read model, its quarantine, its checkpoint and failures in one transaction; the runner then refolds from the start. */
  reset(): void {
    this.db.transaction(() => {
      for (const table of [...this.projection.tables, this.quarantine.table]) this.db.exec(`DROP TABLE IF EXISTS ${table}`);
      this.db.prepare('DELETE FROM checkpoints WHERE name = ?').run(this.name);
      this.db.prepare('DELETE FROM processor_failures WHERE processor = ?').run(this.name);
      this.projection.createTables(this.db);
      this.quarantine.createTable();
    })();
  }
}


const statementCaches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** Prepared statements reused per database, so folding a million events does not recompile SQL. */
export function statement(db: Database.Database, sql: string): Database.Statement {
  let cache = statementCaches.get(db);
  if (!cache) statementCaches.set(db, (cache = new Map<string, Database.Statement>()));
  let prepared = cache.get(sql);
  if (!prepared) cache.set(sql, (prepared = db.prepare(sql)));
  return prepared;
}

/**
 * A business time as stored in the read models: UTC ISO 8601 with milliseconds, so that SQL comparisons
 * and sorts of the text agree with time order whatever offset the event was written with.
 */
export function utc(time: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new Error(`not a time: ${time}`);
  return new Date(ms).toISOString();
}
