import { randomUUID } from 'node:crypto';
import { freshDatabase, type FreshDatabase } from '../support/postgres/fresh-database';
import { removeDataDir, startTestApp, type TestApp } from '../support/test-app';

/**
 * READ_MODELS=postgres over HTTP: an API app folds into the read models in PostgreSQL and answers
 * /v1/funnel from them; a second app on the same database (another data folder: it never saw the
 * events) answers the same numbers at once, with no rebuild. Needs the local PostgreSQL server: fails
 * loudly when it cannot connect.
 */
describe('read models in PostgreSQL shared by two API instances', () => {
  let db: FreshDatabase;
  let a: TestApp;
  let b: TestApp | undefined;
  beforeAll(async () => {
    db = await freshDatabase('ll_read_models_e2e');
    a = await startTestApp({ env: { READ_MODELS: 'postgres', DATABASE_URL: db.url } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    for (const app of [a, b]) if (app) removeDataDir(app.dataDir);
    await db?.drop();
  });

  it('answers the funnel and KPIs from PostgreSQL, and a second instance answers the same at once', async () => {
    const capture = (body: Record<string, unknown>) => a.http.post('/v1/leads').set('X-Tenant-Id', 'pg').send(body).expect(201);
    await capture({
      contact: { email: `${randomUUID()}@hot.test` },
      jobTitle: 'CEO',
      company: { size: 2000, industry: 'saas', country: 'US' },
      source: { channel: 'paid_ads', campaign: 'q4', cost: 100 },
    });
    const cold = await capture({ contact: { email: `${randomUUID()}@cold.test` }, source: { channel: 'seo', cost: 20 } });
    const position = cold.body.position;

    // Read your writes against the shared checkpoint.
    const funnel = (await a.http.get(`/v1/funnel?minPosition=${position}&groupBy=channel`).set('X-Tenant-Id', 'pg').expect(200)).body;
    const byChannel = Object.fromEntries(funnel.groups.map((g: { key: string }) => [g.key, g]));
    expect(byChannel.paid_ads.reached.anyPath).toMatchObject({ lead: 1, mql: 1, sql: 0 });
    expect(byChannel.seo.current).toMatchObject({ lead: 1, mql: 0 });
    const kpis = (await a.http.get('/v1/kpis').set('X-Tenant-Id', 'pg').expect(200)).body;
    expect(kpis.overall).toMatchObject({ leadsCaptured: 2, acquisition: { totalCost: 120, leadsWithCost: 2 } });
    // Readiness judges the shared read models on their checkpoint in PostgreSQL.
    await a.anonymous.get('/health/ready').expect(200);
    const rows = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM funnel_leads');
    expect(rows.rows[0].n).toBe(2);

    b = await startTestApp({ env: { READ_MODELS: 'postgres', DATABASE_URL: db.url } });
    const again = (await b.http.get('/v1/funnel?groupBy=channel').set('X-Tenant-Id', 'pg').expect(200)).body;
    expect(again).toEqual(funnel);
    expect((await b.http.get('/v1/kpis').set('X-Tenant-Id', 'pg').expect(200)).body).toEqual(kpis);
    // Its status reports the shared checkpoint (A's), not its own standby runner's.
    const status = (await b.http.get('/v1/projections').expect(200)).body;
    const funnelStatus = status.processors.find((p: { name: string }) => p.name === 'projection:funnel');
    expect(funnelStatus.position).toBe((await a.http.get('/v1/projections').expect(200)).body.processors.find((p: { name: string }) => p.name === 'projection:funnel').position);
    const list = (await b.http.get('/v1/leads').set('X-Tenant-Id', 'pg').expect(200)).body;
    expect(list.items).toHaveLength(2);
  });

  it('refuses READ_MODELS=postgres without DATABASE_URL, naming both settings', async () => {
    await expect(startTestApp({ env: { READ_MODELS: 'postgres' } })).rejects.toThrow(/READ_MODELS=postgres needs DATABASE_URL/);
    await expect(startTestApp({ env: { READ_MODELS: 'mysql' } })).rejects.toThrow(/READ_MODELS must be one of sqlite, postgres/);
  });
});
