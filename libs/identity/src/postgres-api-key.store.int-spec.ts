import { ManualClock } from '../../../test/support/domain/manual-clock';
import { describeApiKeyStoreContract } from '../../../test/support/api-key-store-contract';
import { freshDatabase, type FreshDatabase } from '../../../test/support/postgres/fresh-database';
import { instancePool, twoInstancesEach } from '../../../test/support/postgres/two-instances';
import { parseApiKey } from './api-key';
import { PostgresApiKeyStore } from './postgres-api-key.store';

/** Another instance of the fleet: its own pool on the same database. */
const instance = (db: FreshDatabase, log?: (m: string) => void) => PostgresApiKeyStore.open(instancePool(db), { closePool: true, log });

describe('PostgresApiKeyStore (local PostgreSQL server): the ApiKeyStore contract', () => {
  describeApiKeyStoreContract(() => {
    const made = freshDatabase();
    return {
      open: async () => instance(await made),
      cleanup: async () => (await made).drop(),
    };
  });
});

describe('PostgresApiKeyStore: several instances on one database', () => {
  const fleet = twoInstancesEach((db) => instance(db));
  let db: FreshDatabase;
  let a: PostgresApiKeyStore;
  let b: PostgresApiKeyStore;
  const clock = new ManualClock('2026-03-01T12:00:00Z');
  beforeEach(() => {
    [db, a, b] = [fleet.db(), fleet.a(), fleet.b()];
  });

  it('a key created on one instance verifies on the other; revoked on one, the other refuses it at once', async () => {
    const created = await a.create({ tenantId: 'acme', roles: ['admin'], name: 'admin' }, clock.now());
    expect(await b.verify(created.key, clock.now())).toMatchObject({ ok: true, record: { keyId: created.keyId } });
    expect(await a.revoke(created.keyId, clock.now())).toBe(true);
    expect(await b.verify(created.key, clock.now())).toEqual({ ok: false, reason: 'revoked' });
    expect(await a.verify(created.key, clock.now())).toEqual({ ok: false, reason: 'revoked' });
  });

  it('keeps only the hash of the secret in the table', async () => {
    const created = await a.create({ tenantId: 'acme', roles: ['admin'], name: 'admin' }, clock.now());
    await a.verify(created.key, clock.now());
    const { secret } = parseApiKey(created.key)!;
    const dump = await db.pool.query<{ t: string }>("SELECT string_agg(t::text || encode(secret_hash, 'escape'), '') AS t FROM api_keys t");
    expect(dump.rows[0].t).toContain(created.keyId);
    expect(dump.rows[0].t).not.toContain(secret);
  });

  it('ignores a stored role that no longer exists instead of failing', async () => {
    const created = await a.create({ tenantId: 'acme', roles: ['auditor'], name: 'old' }, clock.now());
    await db.pool.query("UPDATE api_keys SET roles = ARRAY['auditor', 'retired_role'] WHERE key_id = $1", [created.keyId]);
    expect((await b.get(created.keyId))?.roles).toEqual(['auditor']);
  });

  it('a last use that cannot be written is logged and the key still verifies', async () => {
    const logged: string[] = [];
    const c = await instance(db, (m) => logged.push(m));
    try {
      const created = await a.create({ tenantId: 'acme', roles: ['admin'], name: 'admin' }, clock.now());
      // Reads keep working, writes fail: as on a standby the fleet was pointed at by mistake.
      await db.pool.query('CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION \'read only\'; END $$');
      await db.pool.query('CREATE TRIGGER no_writes BEFORE UPDATE ON api_keys FOR EACH ROW EXECUTE FUNCTION refuse()');
      expect(await c.verify(created.key, clock.now())).toMatchObject({ ok: true, record: { keyId: created.keyId } });
      expect(logged).toEqual([expect.stringMatching(new RegExp(`last use of ${created.keyId} .*read only`))]);
    } finally {
      await c.close();
    }
  });
});
