import Database from 'better-sqlite3';
import { preparePrivateDatabase } from '@lead-lifecycle/eventing';
import type { IdempotencyRecord, IdempotencyStore } from './idempotency-store';

interface Row {
  tenant_id: string;
  key: string;
  fingerprint: string;
  status: number;
  body: string | null;
  recorded_at: number;
  expires_at: number;
}

/** The default idempotency store: its own SQLite file (`DATA_DIR/idempotency.sqlite`), apart from events and read models. */
export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly db: Database.Database;
  private readonly statements: ReturnType<SqliteIdempotencyStore['prepare']>;

  /** `durability` as the event store's: 'full' keeps a recorded answer through a power cut, 'normal' through a process crash. */
  constructor(filename: string, options: { durability?: 'full' | 'normal' } = {}) {
    // Owner only: the folder holds personal data and every lead's data key.
    preparePrivateDatabase(filename);
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS idempotency_keys (
      tenant_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT,
      recorded_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, key)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS idempotency_keys_expiry ON idempotency_keys (expires_at);`);
    this.statements = this.prepare();
  }

  private prepare() {
    return {
      find: this.db.prepare('SELECT * FROM idempotency_keys WHERE tenant_id = ? AND key = ? AND expires_at > ?'),
      // An expired record gives way; a live one stays as it is.
      save: this.db.prepare(`INSERT INTO idempotency_keys (tenant_id, key, fingerprint, status, body, recorded_at, expires_at)
        VALUES (@tenant_id, @key, @fingerprint, @status, @body, @recorded_at, @expires_at)
        ON CONFLICT (tenant_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status, body = excluded.body,
          recorded_at = excluded.recorded_at, expires_at = excluded.expires_at
        WHERE idempotency_keys.expires_at <= excluded.recorded_at`),
      purge: this.db.prepare('DELETE FROM idempotency_keys WHERE expires_at <= ?'),
    };
  }

  find(tenantId: string, key: string, now: Date): IdempotencyRecord | undefined {
    const row = this.statements.find.get(tenantId, key, now.getTime()) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  save(record: IdempotencyRecord): IdempotencyRecord {
    this.statements.save.run({
      tenant_id: record.tenantId,
      key: record.key,
      fingerprint: record.fingerprint,
      status: record.status,
      body: record.body,
      recorded_at: record.recordedAt.getTime(),
      expires_at: record.expiresAt.getTime(),
    });
    return this.find(record.tenantId, record.key, record.recordedAt) ?? record;
  }

  purgeExpired(now: Date): number {
    return this.statements.purge.run(now.getTime()).changes;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toRecord(row: Row): IdempotencyRecord {
  return {
    tenantId: row.tenant_id,
    key: row.key,
    fingerprint: row.fingerprint,
    status: Number(row.status),
    body: row.body,
    recordedAt: new Date(Number(row.recorded_at)),
    expiresAt: new Date(Number(row.expires_at)),
  };
}
