import { Pool } from 'pg';
import { type PostgresConfig } from './postgres.config';

/**
 * A node-postgres pool for the configured server. `application_name` names the instance in
 * `pg_stat_activity`, which is how an operator tells the members of a fleet apart.
 */
export function createPostgresPool(
  config: Pick<PostgresConfig, 'DATABASE_URL' | 'DATABASE_POOL_MAX'>,
  applicationName = 'lead-lifecycle',
  log: (message: string) => void = (message) => console.warn(message),
): Pool {
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is not set: shared state in PostgreSQL needs a server');
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_MAX, application_name: applicationName });
  // An idle connection that the server drops (restart, failover) emits 'error' on the pool; unhandled,
  // that would end the process. The pool replaces the connection on the next checkout; the next query
  // that cannot get one fails and is handled where it is made.
  pool.on('error', (error) => log(`PostgreSQL: idle connection lost (${error.message}); the pool reconnects on the next query`));
  return pool;
}
