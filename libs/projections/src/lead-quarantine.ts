import type Database from 'better-sqlite3';
import { positionToString, type StoredEvent } from '@lead-lifecycle/eventing';
import { quarantinedLeadFrom } from './quarantined-lead-row';

/** A lead a projection holds quarantined, as listed at `GET /v1/projections`: its first poison event still unrepaired. */
export interface QuarantinedLead {
  readonly processor: string;
  readonly tenantId: string;
  readonly leadId: string;
  readonly eventId: string;
  readonly type: string;
  readonly position: string;
  readonly error: string;
  /** When the poison event was recorded in the store: from then on the lead's rows miss it. */
  readonly since: string;
  /** How many of the lead's events this projection could not apply and no later event repaired (at least 1). */
  readonly poisonEvents: number;
}

/** A poison event held against its lead. */
export interface HeldEvent {
  readonly eventId: string;
  readonly type: string;
}

/** The lead a lead or opportunity event belongs to (`data.leadId`), or undefined when it names none. */
export function leadIdOf(event: StoredEvent): string | undefined {
  const leadId = (event.data as { leadId?: unknown } | undefined)?.leadId;
  return typeof leadId === 'string' && leadId.length > 0 ? leadId : undefined;
}

/** The quarantine table of a projection: `<projection>_quarantined_leads`. */
export const quarantineTableOf = (projection: string) => `${projection}_quarantined_leads`;

/**
 * The leads one projection holds quarantined: one row per poison event it could not apply, keyed by the
 * event. A lead is quarantined while it has a row; its read-model rows are then not to be trusted, and
 * the queries flag them. Rows are written and deleted only inside the projection's checkpoint
 * transaction, so the quarantine is exactly as durable as the read model; a rebuild drops and refolds it.
 * Rows keep their insertion order (rowid), which is the order of the global log.
 */
export class LeadQuarantine {
  readonly table: string;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    readonly processor: string,
    projection: string,
  ) {
    this.table = quarantineTableOf(projection);
  }

  createTable(): void {
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS ${this.table} (
        event_id TEXT PRIMARY KEY, lead_id TEXT NOT NULL, tenant_id TEXT NOT NULL, event_type TEXT NOT NULL,
        position TEXT NOT NULL, error TEXT NOT NULL, since TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS ${this.table}_lead ON ${this.table} (lead_id);
    `);
  }

  /** Holds `event` against `leadId` (call inside the checkpoint transaction). */
  hold(leadId: string, event: StoredEvent, error: string): void {
    this.sql(
      `INSERT OR REPLACE INTO ${this.table} (event_id, lead_id, tenant_id, event_type, position, error, since) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(event.eventId, leadId, event.metadata.tenantId, event.type, positionToString(event.position), error, event.metadata.recordedAt);
  }

  /** Whether any lead is held: one cheap look per batch, so a clean projection pays nothing more. */
  any(): boolean {
    return this.sql(`SELECT EXISTS (SELECT 1 FROM ${this.table})`).pluck().get() === 1;
  }

  /** The poison events held against one lead, oldest first. */
  heldFor(leadId: string): HeldEvent[] {
    return this.sql(`SELECT event_id AS eventId, event_type AS type FROM ${this.table} WHERE lead_id = ? ORDER BY rowid`).all(leadId) as HeldEvent[];
  }

  /** Drops held events that a later event repaired; the lead is released once it has none left. */
  release(eventIds: readonly string[]): void {
    for (const id of eventIds) this.sql(`DELETE FROM ${this.table} WHERE event_id = ?`).run(id);
  }

  /** Prepared once per SQL text; SQLite re-prepares them itself after a rebuild recreated the table. */
  private sql(text: string): Database.Statement {
    let prepared = this.statements.get(text);
    if (!prepared) this.statements.set(text, (prepared = this.db.prepare(text)));
    return prepared;
  }

  /** The quarantined leads, first poison event first, at most `limit`. */
  list(limit: number): QuarantinedLead[] {
    const rows = this.db
      .prepare(
        `SELECT q.*, c.n FROM ${this.table} q
         JOIN (SELECT lead_id, min(rowid) AS first, count(*) AS n FROM ${this.table} GROUP BY lead_id) c ON q.rowid = c.first
         ORDER BY q.rowid LIMIT ?`,
      )
      .all(limit) as Array<Record<string, string> & { n: number }>;
    return rows.map((row) => quarantinedLeadFrom(this.processor, row));
  }

  /** How many leads are quarantined. */
  count(): number {
    return this.sql(`SELECT count(DISTINCT lead_id) FROM ${this.table}`).pluck().get() as number;
  }

  /** Which of `leadIds` are quarantined. */
  quarantinedAmong(leadIds: readonly string[]): Set<string> {
    if (leadIds.length === 0) return new Set();
    const rows = this.db
      .prepare(`SELECT DISTINCT lead_id FROM ${this.table} WHERE lead_id IN (${leadIds.map(() => '?').join(', ')})`)
      .pluck()
      .all(...leadIds) as string[];
    return new Set(rows);
  }
}
