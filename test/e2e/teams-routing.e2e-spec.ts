import { DEFAULT_LIFECYCLE_CONFIG, type LifecycleConfig } from '@lead-lifecycle/domain';
import { eventually, removeDataDir, startTestApp, type TestApp } from '../support/test-app';

const config: LifecycleConfig = {
  ...DEFAULT_LIFECYCLE_CONFIG,
  routing: { on: 'capture', rules: [{ id: 'all', when: {}, assign: { teamId: 'inbound', strategy: 'round_robin' } }] },
};

describe('teams and routing over HTTP', () => {
  let t: TestApp;
  let rep: string;
  beforeAll(async () => {
    t = await startTestApp({ module: { lifecycleConfig: config } });
    rep = (await t.createKey({ tenantId: 'default', roles: ['rep'], name: 'rep one', ownerId: 'rep-1' })).key;
  });
  afterAll(async () => {
    await t?.close();
    if (t) removeDataDir(t.dataDir);
  });

  const head = async () => (await t.store.headPosition()).commit;

  it('creates a team, routes captured leads round robin, and shows members with their open leads', async () => {
    expect((await t.http.post('/v1/teams').send({ teamId: 'inbound', name: 'Inbound' })).status).toBe(201);
    expect((await t.http.post('/v1/teams').send({ teamId: 'inbound', name: 'Again' })).body).toMatchObject({ statusCode: 409, code: 'TEAM_ALREADY_EXISTS' });
    for (const ownerId of ['rep-1', 'rep-2']) expect((await t.http.post('/v1/teams/inbound/members').send({ ownerId, capacity: 5 })).status).toBe(201);
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await t.http.post('/v1/leads').send({ contact: { email: `r${n}@example.com` }, source: { channel: 'seo' } })).body.leadId);
    await eventually(async () => (await t.http.get('/v1/teams/inbound')).body.members?.[0]?.openLeads.count === 2, 5000, 'routing');
    const team = (await t.http.get('/v1/teams/inbound')).body;
    expect(team.members).toEqual([
      { ownerId: 'rep-1', capacity: 5, weight: 1, available: true, until: null, openLeads: { count: 2, leadIds: [ids[0], ids[2]].sort() } },
      { ownerId: 'rep-2', capacity: 5, weight: 1, available: true, until: null, openLeads: { count: 1, leadIds: [ids[1]] } },
    ]);
    // A rep sees the counts of all, the lead ids only of itself.
    const asRep = (await t.anonymous.get('/v1/teams/inbound').set('Authorization', `Bearer ${rep}`)).body;
    expect(asRep.members.map((m: { openLeads: { leadIds: unknown } }) => m.openLeads.leadIds)).toEqual([[ids[0], ids[2]].sort(), null]);
    expect((await t.http.get('/v1/teams/nope')).body).toMatchObject({ statusCode: 404, code: 'TEAM_NOT_FOUND' });
  });

  // Away with `until` (a short absence) moves nothing: the queue then holds only the new lead.
  const later = '2099-01-01T00:00:00.000Z';

  it('queues when nobody is eligible, and a rep marks only itself away', async () => {
    const own = await t.anonymous.post('/v1/teams/inbound/members/rep-1/availability').set('Authorization', `Bearer ${rep}`).send({ available: false, until: later });
    expect(own.status).toBe(200);
    const other = await t.anonymous.post('/v1/teams/inbound/members/rep-2/availability').set('Authorization', `Bearer ${rep}`).send({ available: false });
    expect(other.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    expect((await t.anonymous.post('/v1/teams').set('Authorization', `Bearer ${rep}`).send({ teamId: 'mine', name: 'x' })).status).toBe(403);
    expect((await t.http.post('/v1/teams/inbound/members/rep-2/availability').send({ available: false, until: later })).status).toBe(200);
    const queued = (await t.http.post('/v1/leads').send({ contact: { email: 'q@example.com' }, source: { channel: 'seo' } })).body.leadId;
    await eventually(async () => (await t.http.get('/v1/queue')).body.items?.length === 1, 5000, 'the queue');
    expect((await t.http.get('/v1/queue')).body.items).toEqual([expect.objectContaining({ leadId: queued, reason: 'no_eligible_member', teamId: 'inbound', ruleId: 'all' })]);
    expect((await t.http.post('/v1/teams/inbound/members/rep-2/availability').send({ available: true })).status).toBe(200);
    await eventually(async () => (await t.http.get('/v1/queue')).body.items?.length === 0, 5000, 'the queue to empty');
    expect((await t.http.get(`/v1/leads/${queued}`)).body.ownerId).toBe('rep-2');
  });

  it('removing a member moves its routed leads to the others (owner_unavailable), caused by the removal', async () => {
    expect((await t.http.post('/v1/teams/inbound/members/rep-1/availability').send({ available: true })).status).toBe(200);
    const before = (await t.http.get('/v1/teams/inbound')).body.members as Array<{ ownerId: string; openLeads: { leadIds: string[] } }>;
    const moving = before.find((m) => m.ownerId === 'rep-2')!.openLeads.leadIds;
    expect(moving.length).toBe(2);
    expect((await t.http.delete('/v1/teams/inbound/members/rep-2')).status).toBe(200);
    await eventually(async () => (await t.http.get('/v1/teams/inbound')).body.members?.[0]?.openLeads.count === 4, 5000, 'the moves');
    const team = (await t.http.get('/v1/teams/inbound')).body;
    expect(team.members.map((m: { ownerId: string }) => m.ownerId)).toEqual(['rep-1']);
    for (const leadId of moving) {
      const events = (await t.http.get(`/v1/leads/${leadId}/history`)).body.events as Array<{ type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }>;
      expect(events.filter((e) => e.type === 'LeadAssigned').slice(-1)[0]).toMatchObject({
        data: { ownerId: 'rep-1', previousOwnerId: 'rep-2', reason: 'owner_unavailable', teamId: 'inbound', strategy: 'round_robin' },
        metadata: { actor: 'reaction:routing' },
      });
    }
    expect((await t.http.get('/v1/queue')).body.items).toEqual([]);
  });

  it('refuses hostile input on every team route with a 4xx in the one error shape, appending nothing', async () => {
    const notStrings: unknown[] = [null, 5, true, [], ['a'], {}, 1.5];
    // null is the same as absent for an optional field, as everywhere in the API.
    const badNumbers: unknown[] = ['x', '5', true, [], {}, -1, 1.5, 1e308, 'NaN'];
    const fields: Array<[string, (bad: unknown) => unknown, unknown[]]> = [
      ['/v1/teams', (bad) => ({ teamId: bad, name: 'ok' }), [...notStrings, '', 'A', 'a b', '-x', 'a.b', 'x'.repeat(65), 'é']],
      ['/v1/teams', (bad) => ({ teamId: 'okay', name: bad }), [...notStrings, '', 'n'.repeat(201)]],
      ['/v1/teams/inbound/members', (bad) => ({ ownerId: bad }), [...notStrings, '', 'has space', 'x'.repeat(129)]],
      ['/v1/teams/inbound/members', (bad) => ({ ownerId: 'fine', capacity: bad }), [...badNumbers, 10_001]],
      ['/v1/teams/inbound/members', (bad) => ({ ownerId: 'fine', weight: bad }), [...badNumbers, 0, 1001]],
      ['/v1/teams/inbound/members/rep-1/availability', (bad) => ({ available: bad }), [null, 'true', 1, 0, [], {}, 'false']],
      ['/v1/teams/inbound/members/rep-1/availability', (bad) => ({ available: false, until: bad }), [5, true, [], '', 'tomorrow', '2001-01-01T00:00:00Z', '2026-02-30T10:00:00Z', '2026-W10-1']],
    ];
    const requests: Array<[string, string, unknown]> = [];
    for (const [path, body, values] of fields) for (const bad of values) requests.push(['post', path, body(bad)]);
    for (const path of ['/v1/teams/Bad Team/members', '/v1/teams/a.b/members', `/v1/teams/${'x'.repeat(65)}/members`]) requests.push(['post', encodeURI(path), { ownerId: 'ok' }]);
    requests.push(['post', '/v1/teams/inbound/members/rep-1/availability', { available: true, until: '2099-01-01T00:00:00Z' }]);
    requests.push(['post', '/v1/teams/inbound/members', { ownerId: 'rep-1' }], ['delete', '/v1/teams/inbound/members/nobody', undefined], ['post', '/v1/teams/ghost/members', { ownerId: 'x' }]);
    requests.push(['post', '/v1/teams/inbound/members', { ownerId: 'x', extra: 1 }], ['get', '/v1/queue?limit=0', undefined], ['get', '/v1/queue?limit=abc', undefined]);
    const before = await head();
    const failures: string[] = [];
    for (const [method, path, body] of requests) {
      const test = method === 'post' ? t.http.post(path).send(body as object) : method === 'delete' ? t.http.delete(path) : t.http.get(path);
      const res = await test;
      if (res.status < 400 || res.status >= 500 || typeof res.body?.code !== 'string' || res.body.statusCode !== res.status) {
        failures.push(`${method} ${path} ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(requests.length).toBeGreaterThan(70);
    expect(await head()).toBe(before);
  });
});
