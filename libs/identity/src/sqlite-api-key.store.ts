import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { InvalidCommandError } from '@lead-lifecycle/domain';
import {
  type ApiKeyRecord,
  type ApiKeyVerification,
  type CreatedApiKey,
  generateApiKey,
  hashSecret,
  type NewApiKey,
  parseApiKey,
  secretMatches,
  validateNewApiKey,
} from './api-key';
import type { ApiKeyStore } from './api-key.store';
import { ensurePrivateDir, ensurePrivateFile } from '@lead-lifecycle/eventing';
import { isRole, type Role } from './roles';

/** Last use is written at most this often per key: a busy key must not turn every read into a write. */
const LAST_USE_RESOLUTION_MS = 60_000;

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
  private readonly lastUseWritten = new Map<string, number>();

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

  create(input: NewApiKey, now: Date): CreatedApiKey {
    const problems = validateNewApiKey(input, now);
    if (problems.length) throw new InvalidCommandError(problems);
    const { keyId, secret, key } = generateApiKey();
    const record: ApiKeyRecord = {
      keyId,
      tenantId: input.tenantId,
      roles: [...input.roles] as Role[],
      name: input.name,
      ...(input.ownerId !== undefined ? { ownerId: input.ownerId } : {}),
      createdAt: now.toISOString(),
      ...(input.expiresAt !== undefined ? { expiresAt: new Date(input.expiresAt).toISOString() } : {}),
    };
    this.db
      .prepare(
        `INSERT INTO api_keys (key_id, tenant_id, roles, name, owner_id, secret_hash, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(keyId, record.tenantId, JSON.stringify(record.roles), record.name, record.ownerId ?? null, hashSecret(secret), record.createdAt, record.expiresAt ?? null);
    return { ...record, key };
  }

  verify(key: string, now: Date): ApiKeyVerification {
    const parts = parseApiKey(key);
    if (!parts) return { ok: false, reason: 'malformed' };
    const row = this.row(parts.keyId);
    // An unknown id still costs a hash comparison, so timing does not tell unknown ids from wrong secrets.
    if (!secretMatches(parts.secret, row?.secret_hash ?? UNKNOWN_HASH) || !row) return { ok: false, reason: 'unknown' };
    if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
    if (row.expires_at !== null && Date.parse(row.expires_at) <= now.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, record: toRecord(this.recordUse(row, now)) };
  }

  list(tenantId?: string): ApiKeyRecord[] {
    const rows = (
      tenantId === undefined
        ? this.db.prepare('SELECT * FROM api_keys ORDER BY created_at, key_id').all()
        : this.db.prepare('SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at, key_id').all(tenantId)
    ) as Row[];
    return rows.map(toRecord);
  }

  get(keyId: string): ApiKeyRecord | undefined {
    const row = this.row(keyId);
    return row ? toRecord(row) : undefined;
  }

  revoke(keyId: string, now: Date): boolean {
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
    const at = now.getTime();
    const written = this.lastUseWritten.get(row.key_id) ?? (row.last_used_at ? Date.parse(row.last_used_at) : undefined);
    if (written !== undefined && at - written < LAST_USE_RESOLUTION_MS && at >= written) return row;
    const lastUsedAt = now.toISOString();
    this.db.prepare('UPDATE api_keys SET last_used_at = ? WHERE key_id = ?').run(lastUsedAt, row.key_id);
    if (this.lastUseWritten.size > 10_000) this.lastUseWritten.clear();
    this.lastUseWritten.set(row.key_id, at);
    return { ...row, last_used_at: lastUsedAt };
  }
}

const UNKNOWN_HASH = hashSecret('no such key');

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
