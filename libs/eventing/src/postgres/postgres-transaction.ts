import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` on one client of `pool` inside BEGIN … COMMIT; a failure rolls back and is thrown, and the
 * client goes back to the pool either way. The one place a PostgreSQL adapter opens a transaction.
 */
export async function inPostgresTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    client.release();
  }
}
