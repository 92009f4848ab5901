import { Processors } from '@lead-lifecycle/eventing';
import { freshDatabase, type FreshDatabase } from '../support/postgres/fresh-database';
import { eventually, removeDataDir, startTestApp, type TestApp } from '../support/test-app';

/**
 * The API with DATABASE_URL and its processors in the worker thread (the default outside the tests):
 * the leases are held by the thread that runs the leased processors, the worker, and /health/ready
 * says which. The worker compiles its module graph with ts-node here: long timeouts.
 */
describe('an API instance of a fleet, processors in the worker thread (local PostgreSQL server)', () => {
  jest.setTimeout(180_000);
  let db: FreshDatabase;
  let t: TestApp;
  let closed = false;
  const before = process.env.DATABASE_URL;
  beforeAll(async () => {
    db = await freshDatabase();
    // As an operator starts an instance: DATABASE_URL in its settings (the key stores, and the worker's leases).
    process.env.DATABASE_URL = db.url;
    t = await startTestApp({ env: { PROCESSORS_IN: 'worker', DATABASE_URL: db.url } });
  });
  afterAll(async () => {
    if (before === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = before;
    if (t) {
      if (!closed) await t.close();
      removeDataDir(t.dataDir);
    }
    await db?.drop();
  });

  it('holds the stateful reactions\' leases in the worker, reports them on /health/ready, and releases them at shutdown', async () => {
    const leased = ['reaction:aging', 'reaction:routing', 'reaction:sla'];
    const processors = () => t.app.get(Processors);
    await eventually(async () => leased.every((name) => processors().runner(name)?.status().lease?.held === true), 20_000, 'the leases');
    // Not leased: the projections (each instance its own read models) and the stateless opportunity reaction.
    expect(processors().statuses().filter((s) => s.lease).map((s) => s.name).sort()).toEqual(leased);
    const auditor = await t.createKey({ tenantId: 'default', roles: ['auditor'], name: 'ops' });
    await eventually(async () => (await t.anonymous.get('/health/ready')).status === 200, 20_000, 'ready');
    const ready = await t.anonymous.get('/health/ready').set('Authorization', `Bearer ${auditor.key}`).expect(200);
    expect((ready.body.leases as Array<{ name: string }>).map((l) => l.name).sort()).toEqual(leased);
    const rows = await db.pool.query<{ name: string; holder: string; live: boolean }>('SELECT name, holder, expires_at > now() AS live FROM leases ORDER BY name');
    expect(rows.rows.map((r) => [r.name, r.live])).toEqual(leased.map((name) => [name, true]));
    await t.close();
    closed = true;
    const after = await db.pool.query<{ live: boolean }>('SELECT expires_at > now() AS live FROM leases');
    expect(after.rows.every((r) => !r.live)).toBe(true);
  });
});
