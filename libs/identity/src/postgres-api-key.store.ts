import { join } from 'node:path';
import { type Pool } from 'pg';
import { migrationsIn, runMigrations } from '@lead-lifecycle/eventing';
import { type ApiKeyRecord, type ApiKeyVerification, type CreatedApiKey, type NewApiKey, parseApiKey } from './api-key';
import { LastUseWrites, prepareApiKey, refusalOf } from './api-key-records';
import type { ApiKeyStore } from './api-key.store';
import { isRole } from './roles';

interface Row {
  key_id: string;
  tenant_id: string;
  roles: string[];
  name: string;
  owner_id: string | null;
  secret_hash: Buffer;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface PostgresApiKeyStoreOptions {
  /** End the pool when the store closes (it was made for the store alone). Default false. */
  readonly closePool?: boolean;
  /** Where a failed last-use write is reported (it never fails the request). */
  readonly log?: (message: string) => void;
}

/**
 * API keys in PostgreSQL, shared by every instance of a fleet. Only a hash of each secret is stored.
 * Nothing about a key is cached: every verification reads its row (one query by primary key), so a
 * revocation on any instance refuses the key on every instance from the very next request. The last
 * use is written at most once a minute per key (and per instance; the UPDATE itself skips a row another
 * instance touched within the minute), and a failure to write it is logged, never the request's failure.
 */
export class PostgresApiKeyStore implements ApiKeyStore {
  private readonly lastUse = new LastUseWrites();
  private readonly log: (message: string) => void;

  private constructor(
    private readonly pool: Pool,
    private readonly options: PostgresApiKeyStoreOptions,
  ) {
    this.log = options.log ?? ((message) => console.warn(message));
  }

  /** The store's migrations (area `api-keys`). */
  static readonly MIGRATIONS_FOLDER = join(__dirname, 'postgres-migrations');

  /** Applies the store's migrations and answers the store. */
  static async open(pool: Pool, options: PostgresApiKeyStoreOptions = {}): Promise<PostgresApiKeyStore> {
    await runMigrations(pool, 'api-keys', migrationsIn(PostgresApiKeyStore.MIGRATIONS_FOLDER));
    return new PostgresApiKeyStore(pool, options);
  }

  async create(input: NewApiKey, now: Date): Promise<CreatedApiKey> {
    const { record, secretHash, key } = prepareApiKey(input, now);
    await this.pool.query(
      `INSERT INTO api_keys (key_id, tenant_id, roles, name, owner_id, secret_hash, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [record.keyId, record.tenantId, record.roles, record.name, record.ownerId ?? null, secretHash, record.createdAt, record.expiresAt ?? null],
    );
    return { ...record, key };
  }

  async verify(key: string, now: Date): Promise<ApiKeyVerification> {
    const parts = parseApiKey(key);
    if (!parts) return { ok: false, reason: 'malformed' };
    const row = await this.row(parts.keyId);
    const record = row && toRecord(row);
    const refusal = refusalOf(parts.secret, record && { ...record, secretHash: row.secret_hash }, now);
    if (refusal || !record) return { ok: false, reason: refusal ?? 'unknown' };
    return { ok: true, record: await this.recordUse(record, now) };
  }

  async list(tenantId?: string): Promise<ApiKeyRecord[]> {
    const result =
      tenantId === undefined
        ? await this.pool.query<Row>('SELECT * FROM api_keys ORDER BY created_at, key_id')
        : await this.pool.query<Row>('SELECT * FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, key_id', [tenantId]);
    return result.rows.map(toRecord);
  }

  async get(keyId: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.row(keyId);
    return row && toRecord(row);
  }

  async revoke(keyId: string, now: Date): Promise<boolean> {
    const result = await this.pool.query('UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2) WHERE key_id = $1', [keyId, now.toISOString()]);
    return (result.rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {
    if (this.options.closePool) await this.pool.end().catch(() => undefined);
  }

  private async row(keyId: string): Promise<Row | undefined> {
    return (await this.pool.query<Row>('SELECT * FROM api_keys WHERE key_id = $1', [keyId])).rows[0];
  }

  private async recordUse(record: ApiKeyRecord, now: Date): Promise<ApiKeyRecord> {
    if (!this.lastUse.due(record.keyId, record.lastUsedAt, now)) return record;
    this.lastUse.record(record.keyId, now);
    try {
      const written = await this.pool.query(
        `UPDATE api_keys SET last_used_at = $2 WHERE key_id = $1
            AND (last_used_at IS NULL OR last_used_at <= $2::timestamptz - interval '1 minute' OR last_used_at > $2::timestamptz)`,
        [record.keyId, now.toISOString()],
      );
      // Another instance wrote it within the minute: the stored time stands.
      return written.rowCount ? { ...record, lastUsedAt: now.toISOString() } : record;
    } catch (error) {
      this.log(`API keys: could not record the last use of ${record.keyId} (${(error as Error).message})`);
      return record;
    }
  }
}

function toRecord(row: Row): ApiKeyRecord {
  return {
    keyId: row.key_id,
    tenantId: row.tenant_id,
    // A role that no longer exists grants nothing, rather than making the key unreadable.
    roles: row.roles.filter(isRole),
    name: row.name,
    ...(row.owner_id !== null ? { ownerId: row.owner_id } : {}),
    createdAt: row.created_at.toISOString(),
    ...(row.expires_at !== null ? { expiresAt: row.expires_at.toISOString() } : {}),
    ...(row.revoked_at !== null ? { revokedAt: row.revoked_at.toISOString() } : {}),
    ...(row.last_used_at !== null ? { lastUsedAt: row.last_used_at.toISOString() } : {}),
  };
}
