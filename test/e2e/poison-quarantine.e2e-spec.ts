import { randomUUID } from 'node:crypto';
import { leadStreamId } from '@lead-lifecycle/domain';
import { positionToString } from '@lead-lifecycle/eventing';
import { type EventStoreDbForTests, provideEventStoreDb, warnIfNotRealEventStoreDb } from '../support/esdb/provide-eventstoredb';
import { rawLeadEvent } from '../support/raw-lead-event';
import { removeDataDir, startTestApp, type TestApp } from '../support/test-app';

/**
 * A poison event in the log (written raw, as an older build could) quarantines its lead in the scoring
 * projection only: reads of every other lead and tenant keep up, `/v1/projections` lists the lead, and
 * `POST /v1/leads/:id/rescore` releases it. Reads are given a long READ_WAIT_MAX_MS, so an answer that
 * had to wait for a stopped projection would not come back within the test's time.
 */
describe('poison quarantine over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { READ_WAIT_MAX_MS: '60000' } });
  });
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  const post = (path: string, body: unknown, tenant: string) => t.http.post(path).set('X-Tenant-Id', tenant).send(body as object);
  const get = (path: string, tenant = 'default') => t.http.get(path).set('X-Tenant-Id', tenant);
  const capture = async (tenant: string) =>
    (await post('/v1/leads', { contact: { email: `${randomUUID()}@poison.test` }, source: { channel: 'seo' } }, tenant).expect(201)).body as {
      leadId: string;
      position: string;
    };
  const itemOf = (body: { items: Array<{ leadId: string }> }, leadId: string) => body.items.find((i) => i.leadId === leadId) as Record<string, unknown>;
  const status = async () => (await get('/v1/projections').expect(200)).body;

  let poisoned: string;
  let poisonEventId: string;

  it('quarantines the lead of a poison event, lists it with the error, and keeps every other read up to date', async () => {
    poisoned = (await capture('t1')).leadId;
    const healthy = (await capture('t1')).leadId;
    const other = (await capture('t2')).leadId;
    await post(`/v1/leads/${poisoned}/activities`, { type: 'demo_request' }, 't1').expect(200);

    // A ScoreChanged whose score is null, as the old time bug stored them.
    const raw = rawLeadEvent('t1', 'ScoreChanged', {
      leadId: poisoned,
      previous: { total: 25, fit: 0, engagement: 25 },
      current: { total: null, fit: 0, engagement: null },
      temperature: 'cold',
      reasons: ['old bug'],
      occurredAt: new Date().toISOString(),
    });
    poisonEventId = raw.eventId;
    const appended = await t.store.appendToStream(leadStreamId(poisoned), [raw], 'any');

    // Later writes of both tenants are read back at once.
    const later1 = (await post(`/v1/leads/${healthy}/activities`, { type: 'demo_request' }, 't1').expect(200)).body;
    const later2 = (await post(`/v1/leads/${other}/activities`, { type: 'email_open' }, 't2').expect(200)).body;
    const list1 = (await get(`/v1/leads?minPosition=${later1.position}`, 't1').expect(200)).body;
    expect(itemOf(list1, healthy)).toMatchObject({ quarantined: false, score: { total: 25 } });
    expect(itemOf(list1, poisoned)).toMatchObject({ quarantined: true, score: { total: 25 } }); // its rows hold what could be applied
    const list2 = (await get(`/v1/leads?minPosition=${later2.position}`, 't2').expect(200)).body;
    expect(itemOf(list2, other)).toMatchObject({ quarantined: false, score: { total: 1 } });
    const funnel = (await get(`/v1/funnel?minPosition=${later1.position}`, 't1').expect(200)).body;
    expect(funnel).toMatchObject({ quarantinedLeads: 0, groups: [{ reached: { anyPath: { lead: 2 } } }] }); // the funnel could apply everything
    const kpis = (await get(`/v1/kpis?minPosition=${later1.position}`, 't1').expect(200)).body;
    expect(kpis).toMatchObject({ quarantinedLeads: 0, overall: { leadsCaptured: 2 } });

    const answer = await status();
    expect(answer.quarantined).toEqual([
      {
        processor: 'projection:scoring',
        tenantId: 't1',
        leadId: poisoned,
        eventId: poisonEventId,
        type: 'ScoreChanged',
        position: positionToString(appended.position),
        error: expect.stringContaining('NOT NULL'),
        since: expect.any(String),
        poisonEvents: 1,
      },
    ]);
    const scoring = answer.processors.find((p: { name: string }) => p.name === 'projection:scoring');
    expect(scoring).toMatchObject({ state: expect.stringMatching(/running|idle/), stoppedReason: null, quarantinedLeads: 1 });
    expect(scoring.failures).toEqual([expect.objectContaining({ eventId: poisonEventId, action: 'quarantined' })]);
    for (const name of ['projection:funnel', 'projection:kpi']) {
      expect(answer.processors.find((p: { name: string }) => p.name === name)).toMatchObject({ quarantinedLeads: 0, failures: [] });
    }
  });

  it('POST /v1/leads/:id/rescore appends a fresh ScoreChanged that releases the lead', async () => {
    const rescored = (await post(`/v1/leads/${poisoned}/rescore`, {}, 't1').expect(200)).body;
    expect(rescored).toEqual({ leadId: poisoned, revision: expect.any(Number), position: expect.any(String), events: ['ScoreChanged'] });
    const list = (await get(`/v1/leads?minPosition=${rescored.position}`, 't1').expect(200)).body;
    expect(itemOf(list, poisoned)).toMatchObject({ quarantined: false, score: { total: 25, fit: 0, engagement: 25 } });
    const answer = await status();
    expect(answer.quarantined).toEqual([]);
    const scoring = answer.processors.find((p: { name: string }) => p.name === 'projection:scoring');
    expect(scoring.quarantinedLeads).toBe(0);
    expect(scoring.failures).toEqual([expect.objectContaining({ eventId: poisonEventId, action: 'quarantined' })]); // the record stays

    // With the score unchanged the repair still records it (a lead held for another reason gets a row it can re-apply).
    const again = (await t.http.post(`/v1/leads/${poisoned}/rescore`).set('X-Tenant-Id', 't1').expect(200)).body;
    expect(again.events).toEqual(['ScoreChanged']);
    const history = (await get(`/v1/leads/${poisoned}/history`, 't1').expect(200)).body;
    const last = history.events[history.events.length - 1];
    expect(last).toMatchObject({ type: 'ScoreChanged', data: { reasons: ['rescore requested'], current: { total: 25 } } });
  });

  it('refuses a rescore of an unknown lead, of another tenant, or with fields in the body', async () => {
    await post(`/v1/leads/${randomUUID()}/rescore`, {}, 't1').expect(404);
    await post(`/v1/leads/${poisoned}/rescore`, {}, 't2').expect(404);
    const bad = await post(`/v1/leads/${poisoned}/rescore`, { force: false }, 't1').expect(400);
    expect(bad.body.problems).toEqual([expect.objectContaining({ field: 'force' })]);
  });

  it('answers 400 at once for a minPosition beyond the head of the store, in both position forms', async () => {
    const head = await t.store.headPosition();
    const beyond = [String(head.commit + 1000n), `${head.commit}/${head.prepare + 1n}`].map((p) => t.token('t1', p));
    for (const minPosition of beyond) {
      for (const path of ['/v1/leads', '/v1/funnel', '/v1/kpis', `/v1/funnel/leads/${poisoned}`]) {
        const response = await get(`${path}?minPosition=${encodeURIComponent(minPosition)}`, 't1').expect(400);
        expect(response.body).toMatchObject({
          statusCode: 400,
          code: 'INVALID_COMMAND',
          problems: [{ field: 'minPosition', reason: expect.stringContaining(`beyond the newest position in the store (${positionToString(head)})`) }],
        });
      }
    }
    // the head itself, and a position just before it in the commit/prepare form, are fine
    await get(`/v1/leads?minPosition=${t.token('t1', head)}`, 't1').expect(200);
    await get(`/v1/leads?minPosition=${t.token('t1', `${head.commit - 1n}/${head.prepare}`)}`, 't1').expect(200);
    // A token is bound to its tenant: t2 cannot use t1's, and a raw position is no token.
    await get(`/v1/leads?minPosition=${t.token('t1', head)}`, 't2').expect(400);
    await get(`/v1/leads?minPosition=${positionToString(head)}`, 't1').expect(400);
  });
});

describe('minPosition beyond the head on EventStoreDB (positions in the commit/prepare form)', () => {
  let db: EventStoreDbForTests & { available: true };
  let t: TestApp;
  beforeAll(async () => {
    const provided = await provideEventStoreDb();
    if (!provided.available) throw new Error(`no EventStoreDB for this test: ${provided.reason}`);
    warnIfNotRealEventStoreDb(provided, 'minPosition beyond the head on EventStoreDB');
    db = provided;
    t = await startTestApp({ env: { READ_WAIT_MAX_MS: '60000', EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: db.connectionString } });
  });
  afterAll(async () => {
    await t?.close();
    if (t) removeDataDir(t.dataDir);
    await db?.stop();
  });

  it('refuses a position after the head and serves the head itself, as answered by a command', async () => {
    const captured = await t.http.post('/v1/leads').send({ contact: { email: `${randomUUID()}@esdb.test` }, source: { channel: 'seo' } }).expect(201);
    const head = await t.store.headPosition();
    expect(t.positionOf('default', captured.body.position)).toBe(positionToString(head));
    await t.http.get(`/v1/leads?minPosition=${encodeURIComponent(captured.body.position)}`).expect(200);
    for (const beyond of [`${head.commit}/${head.prepare + 1n}`, `${head.commit + 1n}/${head.prepare}`, String(head.commit + head.prepare + 1n)]) {
      const response = await t.http.get(`/v1/kpis?minPosition=${encodeURIComponent(t.token('default', beyond))}`).expect(400);
      expect(response.body).toMatchObject({ code: 'INVALID_COMMAND', problems: [{ field: 'minPosition' }] });
    }
  });
});
