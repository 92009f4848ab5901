import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { positionToString } from '@lead-lifecycle/eventing';
import { freshDatabase, type FreshDatabase } from '../../../../test/support/postgres/fresh-database';
import { ConsistencyTokens } from './consistency-token';

/**
 * The fleet's consistency-token key (DATABASE_URL): a token answered by one instance opens on every other
 * one, whatever order they start in. Needs the local PostgreSQL server: fails loudly when it cannot connect.
 */
describe('consistency tokens of a fleet (PostgreSQL)', () => {
  let db: FreshDatabase;
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-fleet-'));
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    db = await freshDatabase('ll_consistency');
  });
  afterAll(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  it('gives instances starting together one key, so a token of one opens on the others', async () => {
    const config = { DATABASE_URL: db.url, DATABASE_POOL_MAX: 2 };
    const fleet = await Promise.all([1, 2, 3].map(() => ConsistencyTokens.of(dataDir(), config)));
    const later = await ConsistencyTokens.of(dataDir(), config);
    const position = { commit: 9001n, prepare: 9001n };
    for (const issuer of [...fleet, later]) {
      const token = issuer.issue('acme', position);
      for (const reader of [...fleet, later]) expect(positionToString(reader.read('acme', token))).toBe('9001');
      // Still bound to the tenant: the shared key opens no other tenant's token.
      expect(() => later.read('globex', token)).toThrow();
    }
    const rows = await db.pool.query<{ name: string }>('SELECT name FROM fleet_secrets');
    expect(rows.rows.map((r) => r.name)).toEqual(['consistency-token-key']);
  });

  it('keeps the data folder key without DATABASE_URL: two instances do not open each other’s tokens', async () => {
    const a = await ConsistencyTokens.of(dataDir(), { DATABASE_URL: undefined, DATABASE_POOL_MAX: 2 });
    const b = await ConsistencyTokens.of(dataDir(), { DATABASE_URL: undefined, DATABASE_POOL_MAX: 2 });
    expect(() => b.read('acme', a.issue('acme', { commit: 1n, prepare: 1n }))).toThrow();
  });
});
