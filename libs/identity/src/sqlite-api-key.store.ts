import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { type ApiKeyRecord, type ApiKeyVerification, type CreatedApiKey, type NewApiKey, parseApiKey } from './api-key';
import { LastUseWrites, prepareApiKey, refusalOf } from './api-key-records';
import type { ApiKeyStore } from './api-key.store';
import { ensurePrivateDir, ensurePrivateFile } from '@lead-lifecycle/eventing';
import { isRole } from './roles';
interface Row {
  key_id: string;
  tenant_id: string;
  roles: string;
  name: string;
  owner_id: string | null;
  secret_hash: Buffer;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

/**
 * API keys in a SQLite file of their own (`DATA_DIR/identity.sqlite`, mode 0600 in a 0700 folder). Every
 * verification reads the row, so a revocation by another process (the CLI) takes effect at once.
 */
export class SqliteApiKeyStore implements ApiKeyStore {
  private readonly db: Database.Database;
  private readonly lastUse = new LastUseWrites();

  constructor(filename: string) {
    if (filename !== ':memory:') {
      ensurePrivateDir(dirname(filename));
      ensurePrivateFile(filename);
    }
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS api_keys (
      key_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, roles TEXT NOT NULL, name TEXT NOT NULL, owner_id TEXT,
      secret_hash BLOB NOT NULL, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT, last_used_at TEXT)`);
    this.db.exec('CREATE INDEX IF NOT EXISTS api_keys_by_tenant ON api_keys (tenant_id, created_at)');
  }

  async create(input: NewApiKey, now: Date): Promise<CreatedApiKey> {
    const { record, secretHash, key } = prepareApiKey(input, now);
    this.db
      .prepare(
        `INSERT INTO api_keys (key_id, tenant_id, roles, name, owner_id, secret_hash, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(record.keyId, record.tenantId, JSON.stringify(record.roles), record.name, record.ownerId ?? null, secretHash, record.createdAt, record.expiresAt ?? null);
    return { ...record, key };
  }

  async verify(key: string, now: Date): Promise<ApiKeyVerification> {
    const parts = parseApiKey(key);
    if (!parts) return { ok: false, reason: 'malformed' };
    const row = this.row(parts.keyId);
    const record = row && toRecord(row);
    const refusal = refusalOf(parts.secret, record && { ...record, secretHash: row.secret_hash }, now);
    if (refusal || !row) return { ok: false, reason: refusal ?? 'unknown' };
    return { ok: true, record: toRecord(this.recordUse(row, now)) };
  }

  async list(tenantId?: string): Promise<ApiKeyRecord[]> {
    const rows = (
      tenantId === undefined
        ? this.db.prepare('SELECT * FROM api_keys ORDER BY created_at, key_id').all()
        : this.db.prepare('SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at, key_id').all(tenantId)
    ) as Row[];
    return rows.map(toRecord);
  }

  async get(keyId: string): Promise<ApiKeyRecord | undefined> {
    const row = this.row(keyId);
    return row ? toRecord(row) : undefined;
  }

  async revoke(keyId: string, now: Date): Promise<boolean> {
    const known = this.db.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE key_id = ?').run(now.toISOString(), keyId);
    return known.changes > 0;
  }

  close(): void {
    this.db.close();
  }

  private row(keyId: string): Row | undefined {
    return this.db.prepare('SELECT * FROM api_keys WHERE key_id = ?').get(keyId) as Row | undefined;
  }

  private recordUse(row: Row, now: Date): Row {
    if (!this.lastUse.due(row.key_id, row.last_used_at ?? undefined, now)) return row;
    const lastUsedAt = now.toISOString();
    this.db.prepare('UPDATE api_keys SET last_used_at = ? WHERE key_id = ?').run(lastUsedAt, row.key_id);
    this.lastUse.record(row.key_id, now);
    return { ...row, last_used_at: lastUsedAt };
  }
}

function toRecord(row: Row): ApiKeyRecord {
  return {
    keyId: row.key_id,
    tenantId: row.tenant_id,
    // A role that no longer exists grants nothing, rather than making the key unreadable.
    roles: (JSON.parse(row.roles) as unknown[]).filter(isRole),
    name: row.name,
    ...(row.owner_id !== null ? { ownerId: row.owner_id } : {}),
    createdAt: row.created_at,
    ...(row.expires_at !== null ? { expiresAt: row.expires_at } : {}),
    ...(row.revoked_at !== null ? { revokedAt: row.revoked_at } : {}),
    ...(row.last_used_at !== null ? { lastUsedAt: row.last_used_at } : {}),
  };
}
