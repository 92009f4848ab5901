import { type Pool } from 'pg';
import { createPostgresPool } from './postgres-pool';
import { type PostgresConfig } from './postgres.config';

/**
 * Opens an adapter on a pool made for it alone (which the adapter ends when it closes); a failed open
 * (server unreachable, a migration refused) ends the pool and throws, so nothing is left connected.
 */
export async function openOnOwnPool<T>(
  config: Pick<PostgresConfig, 'DATABASE_URL' | 'DATABASE_POOL_MAX'>,
  applicationName: string,
  open: (pool: Pool) => Promise<T>,
): Promise<T> {
  const pool = createPostgresPool(config, applicationName);
  try {
    return await open(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}
