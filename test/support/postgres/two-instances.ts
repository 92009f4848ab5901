import { Pool } from 'pg';
import { freshDatabase, type FreshDatabase } from './fresh-database';

/** A pool of its own on the test database: what another instance of the fleet would have. */
export function instancePool(db: FreshDatabase): Pool {
  const pool = new Pool({ connectionString: db.url, max: 3 });
  // DROP … WITH (FORCE) ends its idle connections; their 'error' must not end the test process.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * For each test of the calling describe: a fresh database and two instances of an adapter on it, each
 * opened on its own pool (`open` is given the database), closed and dropped after the test.
 */
export function twoInstancesEach<T extends { close(): unknown }>(
  open: (db: FreshDatabase) => Promise<T>,
): { readonly db: () => FreshDatabase; readonly a: () => T; readonly b: () => T } {
  let db: FreshDatabase;
  let a: T;
  let b: T;
  beforeEach(async () => {
    db = await freshDatabase();
    [a, b] = await Promise.all([open(db), open(db)]);
  });
  afterEach(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await db?.drop();
  });
  return { db: () => db, a: () => a, b: () => b };
}
