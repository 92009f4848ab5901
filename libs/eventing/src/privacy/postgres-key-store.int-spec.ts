import { Pool } from 'pg';
import { freshDatabase, type FreshDatabase } from '../../../../test/support/postgres/fresh-database';
import { instancePool, twoInstancesEach } from '../../../../test/support/postgres/two-instances';
import { describeKeyStoreContract } from '../../../../test/support/key-store-contract';
import { PostgresKeyStore } from './postgres-key-store';

/** Another instance of the fleet: its own pool on the same database. */
const instance = (db: FreshDatabase) => PostgresKeyStore.open(instancePool(db), { closePool: true });

describe('PostgresKeyStore (local PostgreSQL server): the KeyStore contract', () => {
  describeKeyStoreContract(() => {
    const made = freshDatabase();
    return {
      open: async () => instance(await made),
      cleanup: async () => (await made).drop(),
    };
  });
});

describe('PostgresKeyStore: several instances on one database', () => {
  const fleet = twoInstancesEach(instance);
  let db: FreshDatabase;
  let a: PostgresKeyStore;
  let b: PostgresKeyStore;
  beforeEach(() => {
    [db, a, b] = [fleet.db(), fleet.a(), fleet.b()];
  });

  it('reads on one instance the key created by the other', async () => {
    const created = await a.currentKey('lead-1');
    expect((await b.key('lead-1', 1))?.key.equals(created.key)).toBe(true);
    expect((await b.currentKey('lead-1')).key.equals(created.key)).toBe(true);
  });

  it('answers erased on the other instance as soon as destroy resolves, though it had read and held the key', async () => {
    const held = await b.currentKey('lead-1');
    expect(await b.key('lead-1', 1)).toEqual(held);
    expect(await a.destroy('lead-1')).toBe(1);
    expect(await b.key('lead-1', 1)).toBeUndefined();
    expect(await b.isErased('lead-1')).toBe(true);
  });

  it('keeps a tombstone and no key bytes in the table after destroy', async () => {
    const { key } = await a.currentKey('lead-1');
    await a.destroy('lead-1');
    const rows = await db.pool.query<{ key: Buffer | null; destroyed_at: Date | null }>('SELECT key, destroyed_at FROM data_keys');
    expect(rows.rows).toEqual([{ key: null, destroyed_at: expect.any(Date) }]);
    const dump = await db.pool.query<{ t: string }>("SELECT string_agg(encode(coalesce(key, ''), 'hex'), '') AS t FROM data_keys");
    expect(dump.rows[0].t ?? '').not.toContain(key.toString('hex'));
  });

  it('drops the current key another instance destroyed (LISTEN/NOTIFY), so new data gets a new version', async () => {
    await b.currentKey('lead-1');
    await a.destroy('lead-1');
    // The notification follows the commit; wait until b has heard it (a bounded wait on a condition, not a timing claim).
    const deadline = Date.now() + 5000;
    let version = (await b.currentKey('lead-1')).version;
    while (version === 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      version = (await b.currentKey('lead-1')).version;
    }
    expect(version).toBe(2);
    expect((await a.currentKey('lead-1')).version).toBe(2);
  });

  it('ends with one current key when both instances create the same subjects at once (no duplicate versions)', async () => {
    const subjects = Array.from({ length: 20 }, (_, i) => `lead-${i}`);
    const answers = await Promise.all([
      ...subjects.map((s) => a.currentKey(s)),
      b.prepareKeys(subjects).then(() => Promise.all(subjects.map((s) => b.currentKey(s)))),
      a.prepareKeys(subjects.slice(5)),
      ...subjects.map((s) => b.currentKey(s)),
    ]);
    const fromA = answers.slice(0, 20) as { key: Buffer }[];
    const fromB = answers[20] as { key: Buffer }[];
    subjects.forEach((_, i) => expect(fromA[i].key.equals(fromB[i].key)).toBe(true));
    const rows = await db.pool.query<{ subject_id: string; n: number; v: number }>(
      'SELECT subject_id, count(*)::int AS n, max(version) AS v FROM data_keys GROUP BY subject_id',
    );
    expect(rows.rows).toHaveLength(20);
    expect(rows.rows.every((r) => r.n === 1 && r.v === 1)).toBe(true);
  });

  it('creates the missing keys of one turn in one statement, and asks nothing for the keys it holds', async () => {
    await a.currentKey('lead-0');
    const queries = jest.spyOn(Pool.prototype, 'query');
    try {
      await Promise.all([a.prepareKeys(['lead-1', 'lead-2']), a.prepareKeys(['lead-2', 'lead-3']), a.prepareKeys(['lead-0'])]);
      expect(queries).toHaveBeenCalledTimes(1);
      queries.mockClear();
      await a.prepareKeys(['lead-1', 'lead-2', 'lead-3']);
      expect((await a.currentKey('lead-3')).version).toBe(1);
      expect(queries).not.toHaveBeenCalled();
      // Reads go to the table, those of one turn together.
      await Promise.all([a.key('lead-1', 1), a.key('lead-2', 1), a.key('lead-9', 1)]);
      expect(queries).toHaveBeenCalledTimes(1);
    } finally {
      queries.mockRestore();
    }
  });
});
