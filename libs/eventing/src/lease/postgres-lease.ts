import { join } from 'node:path';
import type { Pool } from 'pg';
import { migrationsIn, runMigrations } from '../postgres/postgres-migrations';
import type { LeaseStore } from './lease.port';

/** The migrations of the `leases` table (area `leases`). */
export const LEASE_MIGRATIONS_FOLDER = join(__dirname, 'postgres-migrations');

/**
 * Row leases in PostgreSQL: one row per lease name with its holder, its term (the fencing token) and
 * its expiry, always computed with the server's clock (`now() + ttl`), so the instances' clocks never
 * matter. Acquiring is one conditional upsert: it takes the row when it is free, expired or already
 * this holder's, and the term grows only when the holder changes. Two holders can therefore never
 * both be granted an unexpired lease: the row is updated under its row lock, one statement at a time.
 */
export class PostgresLeaseStore implements LeaseStore {
  private constructor(private readonly pool: Pool) {}

  /** The store on `pool`, its table created or brought up to date first. */
  static async open(pool: Pool): Promise<PostgresLeaseStore> {
    await runMigrations(pool, 'leases', migrationsIn(LEASE_MIGRATIONS_FOLDER));
    return new PostgresLeaseStore(pool);
  }

  async acquire(name: string, holder: string, ttlMs: number): Promise<number | undefined> {
    const result = await this.pool.query<{ term: string }>(
      `INSERT INTO leases AS l (name, holder, term, expires_at, acquired_at, renewed_at)
         VALUES ($1, $2, 1, now() + $3::int * interval '1 millisecond', now(), now())
       ON CONFLICT (name) DO UPDATE SET
         holder = excluded.holder,
         term = CASE WHEN l.holder = excluded.holder THEN l.term ELSE l.term + 1 END,
         expires_at = excluded.expires_at,
         acquired_at = CASE WHEN l.holder = excluded.holder THEN l.acquired_at ELSE now() END,
         renewed_at = now()
       WHERE l.holder = excluded.holder OR l.expires_at <= now()
       RETURNING term`,
      [name, holder, ttlMs],
    );
    return result.rows.length ? Number(result.rows[0].term) : undefined;
  }

  async release(name: string, holder: string, term: number): Promise<void> {
    // Expired now rather than deleted: the term stays, so the next holder's term is still higher.
    await this.pool.query('UPDATE leases SET expires_at = now() WHERE name = $1 AND holder = $2 AND term = $3', [name, holder, term]);
  }
}
