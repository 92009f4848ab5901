import { randomUUID } from 'node:crypto';
import { type EventStoreDbForTests, provideEventStoreDb, warnIfNotRealEventStoreDb } from '../support/esdb/provide-eventstoredb';
import { freshDatabase, type FreshDatabase } from '../support/postgres/fresh-database';
import { removeDataDir, startTestApp, TEST_PLATFORM_KEY, type TestApp } from '../support/test-app';

jest.setTimeout(120_000);

/**
 * Two API instances, each with its own data folder, sharing one event store (EventStoreDB) and one
 * PostgreSQL database (DATABASE_URL): the API keys and the data keys are the same for both, so a key
 * made through one works on the other, and a revocation or an erasure through one holds on the other.
 */
describe('two API instances on one PostgreSQL: shared API keys and data keys', () => {
  let db: FreshDatabase;
  let esdb: EventStoreDbForTests & { available: true };
  let first: TestApp;
  let second: TestApp | undefined;

  beforeAll(async () => {
    db = await freshDatabase();
    const provided = await provideEventStoreDb();
    if (!provided.available) throw new Error(`no EventStoreDB for the shared-keys test: ${provided.reason}`);
    warnIfNotRealEventStoreDb(provided, 'shared keys on PostgreSQL');
    esdb = provided;
    first = await startTestApp({ env: env() });
  });

  afterAll(async () => {
    for (const t of [first, second]) {
      if (!t) continue;
      await t.close();
      removeDataDir(t.dataDir);
    }
    await esdb?.stop();
    await db?.drop();
  });

  const env = () => ({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: esdb.connectionString, DATABASE_URL: db.url });
  const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

  it('keeps the keys in PostgreSQL, not in the data folder', async () => {
    const tables = await db.pool.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['api_keys', 'data_keys', 'schema_migrations']));
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(first.dataDir)).not.toEqual(expect.arrayContaining(['keys.sqlite']));
    expect(readdirSync(first.dataDir)).not.toEqual(expect.arrayContaining(['identity.sqlite']));
  });

  it('a key made through one instance works on the other; an erasure and a revocation through one hold on the other at once', async () => {
    const created = await first.anonymous
      .post('/v1/admin/api-keys')
      .set(bearer(TEST_PLATFORM_KEY))
      .send({ tenantId: 'default', roles: ['admin'], name: 'fleet admin' })
      .expect(201);
    const key = created.body.key as string;
    const email = `${randomUUID()}@fleet.test`;
    const leadId = (
      await first.anonymous
        .post('/v1/leads')
        .set(bearer(key))
        .send({ contact: { email, firstName: 'Ada' }, source: { channel: 'web_form' }, occurredAt: new Date().toISOString() })
        .expect(201)
    ).body.leadId as string;
    const keyRows = await db.pool.query('SELECT version FROM data_keys WHERE subject_id = $1 AND key IS NOT NULL', [leadId]);
    expect(keyRows.rows).toEqual([{ version: 1 }]);

    second = await startTestApp({ env: env() });
    expect(second.dataDir).not.toBe(first.dataDir);
    // The second instance reads the lead's contact with the key the first one made.
    expect((await second.anonymous.get(`/v1/leads/${leadId}`).set(bearer(key)).expect(200)).body.contact).toMatchObject({ email });

    await first.anonymous.post(`/v1/leads/${leadId}/forget`).set(bearer(key)).set('X-Actor', 'dpo').send({ reason: 'erasure request' }).expect(200);
    const onSecond = (await second.anonymous.get(`/v1/leads/${leadId}`).set(bearer(key)).expect(200)).body;
    expect(onSecond.contact).toEqual({ erased: true });
    const history = await second.anonymous.get(`/v1/leads/${leadId}/history`).set(bearer(key)).expect(200);
    expect(history.text).not.toContain(email);
    expect(history.body.events[0].data.contact).toEqual({ erased: true });
    // Also the event store as the second instance opens it (what its exports and its relay read).
    const [captured] = await second.store.readStream(`lead-${leadId}`);
    expect(captured.data.contact).toEqual({ erased: true });

    await first.anonymous.delete(`/v1/admin/api-keys/${created.body.keyId}`).set(bearer(TEST_PLATFORM_KEY)).expect(204);
    const refused = await second.anonymous.get(`/v1/leads/${leadId}`).set(bearer(key)).expect(401);
    expect(refused.body).toMatchObject({ statusCode: 401 });
    await first.anonymous.get(`/v1/leads/${leadId}`).set(bearer(key)).expect(401);
  });
});
