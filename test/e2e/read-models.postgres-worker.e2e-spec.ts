import { randomUUID } from 'node:crypto';
import { Processors } from '@lead-lifecycle/eventing';
import { workerInstanceOnPostgres } from '../support/fleet/worker-instance';
import { eventually } from '../support/test-app';

/**
 * READ_MODELS=postgres with the processors in the worker thread (the default outside the tests): the
 * worker holds the projections' leases and folds into the shared tables, the main thread answers the
 * queries from them, read-your-writes waits on the shared checkpoint across the two threads, and a
 * clean shutdown releases the leases. Needs the local PostgreSQL server: fails loudly when it cannot
 * connect. The worker compiles its module graph with ts-node here: long timeouts.
 */
describe('shared read models folded by the processor worker (local PostgreSQL server)', () => {
  jest.setTimeout(180_000);
  const instance = workerInstanceOnPostgres({ READ_MODELS: 'postgres' }, 'll_read_models_worker');
  const projections = ['projection:funnel', 'projection:kpi', 'projection:scoring'];

  it('folds in the worker under the projections\' leases and answers from PostgreSQL in the main thread', async () => {
    const { app, db } = instance;
    const processors = () => app.app.get(Processors);
    await eventually(async () => projections.every((name) => processors().runner(name)?.status().lease?.held === true), 30_000, 'the projection leases');
    const captured = await app.http
      .post('/v1/leads')
      .set('X-Tenant-Id', 'pgw')
      .send({ contact: { email: `${randomUUID()}@worker.test` }, jobTitle: 'CEO', company: { size: 2000, industry: 'saas', country: 'US' }, source: { channel: 'paid_ads', cost: 40 } })
      .expect(201);
    // The token of a write in the main thread, answered once the worker's fold committed it in PostgreSQL.
    const funnel = (await app.http.get(`/v1/funnel?minPosition=${encodeURIComponent(captured.body.position as string)}&groupBy=channel`).set('X-Tenant-Id', 'pgw').expect(200)).body;
    expect(funnel.groups.find((g: { key: string }) => g.key === 'paid_ads').reached.anyPath).toMatchObject({ lead: 1, mql: 1 });
    const kpis = (await app.http.get(`/v1/kpis?minPosition=${encodeURIComponent(captured.body.position as string)}`).set('X-Tenant-Id', 'pgw').expect(200)).body;
    expect(kpis.overall).toMatchObject({ leadsCaptured: 1, acquisition: { totalCost: 40 } });
    const rows = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM funnel_leads');
    expect(rows.rows[0].n).toBe(1);
    const held = await db.pool.query<{ name: string; live: boolean }>(`SELECT name, expires_at > now() AS live FROM leases WHERE name LIKE 'projection:%' ORDER BY name`);
    expect(held.rows.map((r) => [r.name, r.live])).toEqual(projections.map((name) => [name, true]));
    await app.anonymous.get('/health/ready').expect(200);

    await instance.close();
    const after = await db.pool.query<{ live: boolean }>(`SELECT expires_at > now() AS live FROM leases WHERE name LIKE 'projection:%'`);
    expect(after.rows.length).toBe(3);
    expect(after.rows.every((r) => !r.live)).toBe(true);
  });
});
