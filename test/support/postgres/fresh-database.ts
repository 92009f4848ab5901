import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';

/**
 * The PostgreSQL server the tests use: the one this machine runs (README, Tests). Override with
 * TEST_POSTGRES_URL; the user must be allowed to create and drop databases.
 */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface FreshDatabase {
  /** Connection string of the new, empty database. */
  readonly url: string;
  readonly name: string;
  /** A pool on it (closed by `drop`). */
  readonly pool: Pool;
  /** Closes the pool and drops the database with every connection still open to it. */
  drop(): Promise<void>;
}

/**
 * A new empty database on the test server, so every suite starts from nothing and suites can run in any
 * order. A server that does not answer fails the suite loudly: a PostgreSQL test never skips silently.
 */
export async function freshDatabase(prefix = 'll_test'): Promise<FreshDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `\n\n*** PostgreSQL is not reachable at ${TEST_POSTGRES_URL} (${(error as Error).message}).\n` +
        '*** The PostgreSQL suites need a real server: start one or set TEST_POSTGRES_URL. Not skipped: failing. ***\n',
      { cause: error },
    );
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(TEST_POSTGRES_URL, name);
  const pool = new Pool({ connectionString: url, max: 5 });
  // DROP … WITH (FORCE) ends idle connections; their 'error' must not end the test process.
  pool.on('error', () => undefined);
  return {
    url,
    name,
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      const cleanup = new Client({ connectionString: TEST_POSTGRES_URL });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
