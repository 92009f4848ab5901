import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Pool } from 'pg';

/** One schema change: an id that sorts in the order of application, and its SQL. */
export interface Migration {
  readonly id: string;
  readonly sql: string;
}

/** What `runMigrations` did. */
export interface MigrationReport {
  readonly applied: readonly string[];
  readonly alreadyApplied: readonly string[];
}

/**
 * Any fixed 64-bit number works as long as every instance uses the same one: it serialises the
 * instances that start together, so two of them never apply the same migration at once.
 */
const MIGRATION_LOCK = 7_305_210_417_001n;

/**
 * The plain SQL files of one folder (`0001-name.sql`, …), in the order of their names. Each area keeps
 * its migrations next to the adapter that needs them, so a host that uses only the key store gets only
 * its tables.
 */
export function migrationsIn(folder: string): Migration[] {
  return readdirSync(folder)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => ({ id: file.replace(/\.sql$/, ''), sql: readFileSync(join(folder, file), 'utf8') }));
}

/**
 * Applies the migrations of `area` that this database has not seen, each in its own transaction with
 * its row in `schema_migrations`, under a session advisory lock so instances starting together take
 * turns. A migration that fails rolls back alone and the error is thrown: an instance never starts on
 * half a schema. Applied migrations are never edited; a change is a new file.
 */
export async function runMigrations(pool: Pool, area: string, migrations: readonly Migration[]): Promise<MigrationReport> {
  const client = await pool.connect();
  const applied: string[] = [];
  const alreadyApplied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      area TEXT NOT NULL, id TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (area, id))`);
    const done = new Set(
      (await client.query<{ id: string }>('SELECT id FROM schema_migrations WHERE area = $1', [area])).rows.map((r) => r.id),
    );
    for (const migration of migrations) {
      if (done.has(migration.id)) {
        alreadyApplied.push(migration.id);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (area, id) VALUES ($1, $2)', [area, migration.id]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${area}/${migration.id} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(migration.id);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]).catch(() => undefined);
    client.release();
  }
  return { applied, alreadyApplied };
}
