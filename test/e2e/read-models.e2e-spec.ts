import { randomUUID } from 'node:crypto';
import { ReadModels } from '@lead-lifecycle/projections';
import { removeDataDir, startTestApp, type TestApp } from '../support/test-app';

describe('read models over HTTP: funnel, who to call next, KPIs, lag, read your own writes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { READ_WAIT_MAX_MS: '300' } });
  });
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  const capture = (body: Record<string, unknown>, tenant = 'rm') => t.http.post('/v1/leads').set('X-Tenant-Id', tenant).send(body);

  it('serves a write through every read model as soon as the command answered, with minPosition', async () => {
    const hot = await capture({
      contact: { email: `${randomUUID()}@hot.test` },
      jobTitle: 'CEO',
      company: { size: 2000, industry: 'saas', country: 'US' },
      source: { channel: 'paid_ads', campaign: 'q4', cost: 100 },
    }).expect(201);
    const cold = await capture({ contact: { email: `${randomUUID()}@cold.test` }, source: { channel: 'seo', cost: 20 } }).expect(201);
    const position = cold.body.position;

    const list = (await t.http.get(`/v1/leads?minPosition=${position}`).set('X-Tenant-Id', 'rm').expect(200)).body;
    expect(list.items.map((i: { leadId: string }) => i.leadId)).toEqual([hot.body.leadId, cold.body.leadId]);
    expect(list.items[0]).toMatchObject({ stage: 'mql', temperature: 'hot', channel: 'paid_ads', campaign: 'q4' });

    const funnel = (await t.http.get(`/v1/funnel?minPosition=${position}&groupBy=channel`).set('X-Tenant-Id', 'rm').expect(200)).body;
    expect(funnel.counting).toEqual({ anyPath: expect.any(String), inOrder: expect.any(String) });
    const byChannel = Object.fromEntries(funnel.groups.map((g: { key: string }) => [g.key, g]));
    expect(byChannel.paid_ads.reached.anyPath).toMatchObject({ lead: 1, mql: 1, sql: 0 });
    expect(byChannel.seo.current).toMatchObject({ lead: 1, mql: 0 });

    const kpis = (await t.http.get(`/v1/kpis?minPosition=${position}`).set('X-Tenant-Id', 'rm').expect(200)).body;
    expect(kpis.overall).toMatchObject({ leadsCaptured: 2, acquisition: { totalCost: 120, leadsWithCost: 2, costPerLead: 60, costPerCustomer: null } });
    expect(kpis.byChannel.map((k: { key: string }) => k.key)).toEqual(['paid_ads', 'seo']);

    const stages = (await t.http.get(`/v1/funnel/leads/${hot.body.leadId}?minPosition=${position}`).set('X-Tenant-Id', 'rm').expect(200)).body;
    expect(stages.stages.map((s: { stage: string }) => s.stage)).toEqual(['lead', 'mql']);
  });

  it('documents the read-model queries in the OpenAPI document', async () => {
    const doc = (await t.http.get('/docs/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/funnel', '/v1/funnel/leads/{id}', '/v1/kpis', '/v1/projections']));
    const list = doc.paths['/v1/leads'].get.parameters.map((p: { name: string }) => p.name);
    expect(list).toEqual(expect.arrayContaining(['stage', 'temperature', 'ownerId', 'channel', 'minScore', 'sort', 'cursor', 'minPosition']));
  });

  it('shows the lag of every processor', async () => {
    const status = (await t.http.get('/v1/projections').expect(200)).body;
    const names = status.processors.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['projection:funnel', 'projection:scoring', 'projection:kpi', 'reaction:opportunity-lifecycle']));
    for (const p of status.processors) {
      expect(p).toMatchObject({ state: expect.stringMatching(/running|idle/), eventsBehind: expect.any(Number), secondsBehind: expect.any(Number) });
    }
  });

  it('answers 503 PROJECTION_BEHIND when the projection does not reach the position in time, and reports the lag', async () => {
    const runner = t.app.get(ReadModels).runner('scoring');
    await runner.stop();
    try {
      const created = await capture({ contact: { email: `${randomUUID()}@late.test` }, source: { channel: 'seo' } }).expect(201);
      const response = await t.http.get(`/v1/leads?minPosition=${created.body.position}`).set('X-Tenant-Id', 'rm').expect(503);
      expect(response.body).toMatchObject({ code: 'PROJECTION_BEHIND', projection: 'scoring' });
      const status = (await t.http.get('/v1/projections').expect(200)).body;
      const scoring = status.processors.find((p: { name: string }) => p.name === 'projection:scoring');
      expect(scoring.eventsBehind).toBeGreaterThan(0);
    } finally {
      runner.start();
    }
    const again = await t.http.get(`/v1/leads?minPosition=${t.token('rm', await t.store.headPosition())}`).set('X-Tenant-Id', 'rm').expect(200);
    expect(again.body.items).toHaveLength(3);
  });

  it('pages the lead list with a cursor and refuses a bad one or a bad position', async () => {
    const first = (await t.http.get('/v1/leads?limit=2&sort=lastActivity').set('X-Tenant-Id', 'rm').expect(200)).body;
    expect(first.items).toHaveLength(2);
    const second = (await t.http.get(`/v1/leads?limit=2&sort=lastActivity&cursor=${first.nextCursor}`).set('X-Tenant-Id', 'rm').expect(200)).body;
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items].map((i: { leadId: string }) => i.leadId);
    expect(new Set(ids).size).toBe(3);
    await t.http.get('/v1/leads?cursor=garbage').set('X-Tenant-Id', 'rm').expect(400);
    const bad = await t.http.get('/v1/leads?minPosition=soon&stage=vip').expect(400);
    expect(bad.body.problems.map((p: { field: string }) => p.field).sort()).toEqual(['minPosition', 'stage']);
  });
});
