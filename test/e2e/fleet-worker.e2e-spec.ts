import { Processors } from '@lead-lifecycle/eventing';
import { workerInstanceOnPostgres } from '../support/fleet/worker-instance';
import { eventually } from '../support/test-app';

/**
 * The API with DATABASE_URL and its processors in the worker thread (the default outside the tests):
 * the leases are held by the thread that runs the leased processors, the worker, and /health/ready
 * says which. The worker compiles its module graph with ts-node here: long timeouts.
 */
describe('an API instance of a fleet, processors in the worker thread (local PostgreSQL server)', () => {
  jest.setTimeout(180_000);
  const instance = workerInstanceOnPostgres();

  it('holds the stateful reactions\' leases in the worker, reports them on /health/ready, and releases them at shutdown', async () => {
    const leased = ['reaction:aging', 'reaction:routing', 'reaction:sla'];
    const { app: t, db } = instance;
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
    await instance.close();
    const after = await db.pool.query<{ live: boolean }>('SELECT expires_at > now() AS live FROM leases');
    expect(after.rows.every((r) => !r.live)).toBe(true);
  });
});
