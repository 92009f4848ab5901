import { join } from 'node:path';
import { type Pool } from 'pg';
import { migrationsIn, runMigrations } from './postgres-migrations';

/** The migrations of the `fleet_secrets` table (area `secrets`). */
export const FLEET_SECRET_MIGRATIONS_FOLDER = join(__dirname, 'postgres-secrets-migrations');

/**
 * The fleet's one copy of the secret `name`: the value `make()` gave the first instance that asked, for
 * every instance after it. Two instances starting together both offer a value; the insert of one wins
 * and both answer that one, so no instance ever uses a secret the others do not know.
 */
export async function fleetSecret(pool: Pool, name: string, make: () => string): Promise<string> {
  await runMigrations(pool, 'secrets', migrationsIn(FLEET_SECRET_MIGRATIONS_FOLDER));
  await pool.query('INSERT INTO fleet_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, make()]);
  const row = await pool.query<{ value: string }>('SELECT value FROM fleet_secrets WHERE name = $1', [name]);
  return row.rows[0].value;
}
