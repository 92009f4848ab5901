import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../support/domain/manual-clock';
import { DEFAULT_LIFECYCLE_CONFIG } from '@lead-lifecycle/domain';
import { type GlobalPosition, type StoredEvent } from '@lead-lifecycle/eventing';
import { removeDataDir, startTestApp, TEST_PLATFORM_KEY, type TestApp } from '../support/test-app';

const highFit = { jobTitle: 'VP Engineering', company: { name: 'Acme', size: 5000, industry: 'software', country: 'US' } };
const allBant = { budget: { met: true }, authority: { met: true }, need: { met: true }, timeline: { met: true } };
const REPLAYED = 'idempotent-replayed';

interface Sent {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** `Idempotency-Key` on every POST: a retry gets the first answer and writes nothing. */
describe('Idempotency-Key (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // One host stage before lead, so POST /v1/leads/{id}/stage has a move to make.
    t = await startTestApp({ module: { lifecycleConfig: { ...DEFAULT_LIFECYCLE_CONFIG, stages: { beforeLead: ['subscriber'], afterCustomer: [] } } } });
  });
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  const head = (): Promise<GlobalPosition> => t.store.headPosition();
  /** `tenant`: sent as the admin key of that tenant; `platform`: with the platform key (key management). */
  const post = (path: string, body: object, key?: string, tenant = 'default'): Promise<Sent> => {
    const req = tenant === 'platform' ? t.http.post(path).set('Authorization', `Bearer ${TEST_PLATFORM_KEY}`) : t.http.post(path).set('X-Tenant-Id', tenant);
    return (key === undefined ? req : req.set('Idempotency-Key', key)).send(body);
  };
  const newLead = (extra: object = {}) => ({ contact: { email: `${randomUUID()}@acme.test` }, source: { channel: 'seo' }, ...extra });
  async function sqlLead(tenant = 'default'): Promise<string> {
    const { body } = await post('/v1/leads', newLead(highFit), undefined, tenant);
    await t.http.post(`/v1/leads/${body.leadId}/sql`).set('X-Tenant-Id', tenant).send({ bant: allBant, qualifiedBy: 'sdr-1' }).expect(200);
    return body.leadId as string;
  }
  async function openOpportunity(): Promise<string> {
    const leadId = await sqlLead();
    return (await post(`/v1/leads/${leadId}/opportunities`, { amount: 100, currency: 'EUR' })).body.opportunityId as string;
  }
  async function eventsAfter(position: GlobalPosition): Promise<StoredEvent[]> {
    return t.store.readAll({ after: position, maxCount: 1000 });
  }

  /** Sends the request twice with one key: the second gets the first answer and writes nothing. */
  async function expectReplayed(path: string, body: object, tenant = 'default'): Promise<Sent> {
    const key = randomUUID();
    const first = await post(path, body, key, tenant);
    expect({ path, status: first.status }).toEqual({ path, status: expect.any(Number) });
    expect(first.status >= 200 && first.status < 300 ? 'success' : `${first.status} ${JSON.stringify(first.body)}`).toBe('success');
    expect(first.headers[REPLAYED]).toBeUndefined();
    const before = await head();
    const again = await post(path, body, key, tenant);
    expect({ path, status: again.status, body: again.body, replayed: again.headers[REPLAYED] }).toEqual({
      path,
      status: first.status,
      body: first.body,
      replayed: 'true',
    });
    expect({ path, head: await head() }).toEqual({ path, head: before });
    return first;
  }

  it('answers a retry with the same key and body with the first answer, and appends nothing', async () => {
    const body = newLead({ externalId: randomUUID() });
    const first = await expectReplayed('/v1/leads', body);
    expect(first.status).toBe(201);
    // The order of the body's keys does not matter: the fingerprint is canonical JSON.
    const key = randomUUID();
    const email = `${randomUUID()}@reordered.test`;
    const ordered = await post('/v1/leads', { contact: { email, firstName: 'Ada' }, source: { channel: 'seo' } }, key);
    const reordered = await post('/v1/leads', { source: { channel: 'seo' }, contact: { firstName: 'Ada', email } }, key);
    expect({ status: reordered.status, body: reordered.body, replayed: reordered.headers[REPLAYED] }).toEqual({
      status: ordered.status,
      body: ordered.body,
      replayed: 'true',
    });
  });

  it('refuses the same key with another body or another route (422 IDEMPOTENCY_KEY_REUSED), appending nothing', async () => {
    const key = randomUUID();
    const body = newLead();
    const first = await post('/v1/leads', body, key);
    expect(first.status).toBe(201);
    const before = await head();
    for (const [path, other] of [
      ['/v1/leads', newLead()],
      [`/v1/leads/${first.body.leadId}/activities`, { type: 'page_view' }],
    ] as const) {
      const reused = await post(path, other, key);
      expect(reused.status).toBe(422);
      expect(reused.body).toMatchObject({ statusCode: 422, error: 'UNPROCESSABLE_ENTITY', code: 'IDEMPOTENCY_KEY_REUSED' });
    }
    expect(await head()).toEqual(before);
  });

  const newTeamId = () => `team-${randomUUID().slice(0, 8)}`;
  const createTeam = async () => {
    const teamId = newTeamId();
    expect((await post('/v1/teams', { teamId, name: teamId })).status).toBe(201);
    return teamId;
  };

  it('is honoured by every POST route of the API', async () => {
    // How to make each route succeed once; a POST route missing here fails the test.
    const requests: Record<string, () => Promise<[string, object, string?]>> = {
      '/v1/leads': async () => ['/v1/leads', newLead()],
      '/v1/leads/{id}/activities': async () => [`/v1/leads/${(await post('/v1/leads', newLead())).body.leadId}/activities`, { type: 'demo_request' }],
      '/v1/leads/{id}/sql': async () => [`/v1/leads/${(await post('/v1/leads', newLead(highFit))).body.leadId}/sql`, { bant: allBant, qualifiedBy: 'sdr' }],
      '/v1/leads/{id}/assign': async () => [`/v1/leads/${(await post('/v1/leads', newLead())).body.leadId}/assign`, { ownerId: 'rep-1' }],
      '/v1/leads/{id}/disqualify': async () => [`/v1/leads/${(await post('/v1/leads', newLead())).body.leadId}/disqualify`, { reason: 'no_budget' }],
      '/v1/leads/{id}/recycle': async () => [`/v1/leads/${(await post('/v1/leads', newLead())).body.leadId}/recycle`, { reason: 'later' }],
      '/v1/leads/{id}/stage': async () => [`/v1/leads/${(await post('/v1/leads', newLead({ stage: 'subscriber' }))).body.leadId}/stage`, { stage: 'lead' }],
      '/v1/leads/{id}/rescore': async () => [`/v1/leads/${(await post('/v1/leads', newLead())).body.leadId}/rescore`, {}],
      '/v1/leads/{id}/opportunities': async () => [`/v1/leads/${await sqlLead()}/opportunities`, { amount: 10, currency: 'EUR' }],
      '/v1/leads/{id}/forget': async () => [`/v1/leads/${(await post('/v1/leads', newLead())).body.leadId}/forget`, { reason: 'erasure request' }],
      '/v1/opportunities/{id}/stage': async () => [`/v1/opportunities/${await openOpportunity()}/stage`, { stage: 'proposal' }],
      '/v1/opportunities/{id}/win': async () => [`/v1/opportunities/${await openOpportunity()}/win`, { amount: 12 }],
      '/v1/opportunities/{id}/lose': async () => [`/v1/opportunities/${await openOpportunity()}/lose`, { reason: 'price' }],
      '/v1/teams': async () => ['/v1/teams', { teamId: newTeamId(), name: 'Inside sales' }],
      '/v1/teams/{teamId}/members': async () => [`/v1/teams/${await createTeam()}/members`, { ownerId: 'rep-1', capacity: 5 }],
      '/v1/teams/{teamId}/members/{ownerId}/availability': async () => {
        const teamId = await createTeam();
        expect((await post(`/v1/teams/${teamId}/members`, { ownerId: 'rep-2' })).status).toBe(201);
        return [`/v1/teams/${teamId}/members/rep-2/availability`, { available: false }];
      },
    };
    const document = (await t.http.get('/docs/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(document.paths)
      .filter(([, operations]) => 'post' in operations)
      // Key creation is never replayed (its answer holds the secret): see the test below.
      .filter(([path]) => path !== '/v1/admin/api-keys')
      .map(([path]) => path);
    expect(routes.length).toBeGreaterThanOrEqual(11);
    expect(routes.filter((route) => !(route in requests))).toEqual([]);
    for (const route of routes) {
      const [path, body, tenant] = await requests[route]();
      await expectReplayed(path, body, tenant);
    }
  });

  it('never stores nor replays the answer of an API key creation, which holds the secret', async () => {
    const key = randomUUID();
    const body = { tenantId: 'default', roles: ['auditor'], name: 'not replayed' };
    const first = await post('/v1/admin/api-keys', body, key, 'platform');
    const second = await post('/v1/admin/api-keys', body, key, 'platform');
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers[REPLAYED]).toBeUndefined();
    expect(second.body.keyId).not.toBe(first.body.keyId);
  });

  it('creates one opportunity however often open-opportunity is retried with a key, even after its answer was lost', async () => {
    const leadId = await sqlLead();
    const key = randomUUID();
    const body = { name: 'Rollout', amount: 500, currency: 'EUR' };
    const first = await post(`/v1/leads/${leadId}/opportunities`, body, key);
    expect(first.status).toBe(201);
    const again = await post(`/v1/leads/${leadId}/opportunities`, body, key);
    expect(again.body.opportunityId).toBe(first.body.opportunityId);

    // A crash after the command but before its answer was recorded: the retry runs again, and names the same opportunity.
    t = await restart(t, { forgetAnswers: true });
    const before = await head();
    const retried = await post(`/v1/leads/${leadId}/opportunities`, body, key);
    expect(retried.status).toBe(201);
    expect(retried.headers[REPLAYED]).toBeUndefined();
    expect(retried.body).toMatchObject({ opportunityId: first.body.opportunityId, events: [] });
    expect(await eventsAfter(before)).toEqual([]);
    const lead = (await t.http.get(`/v1/leads/${leadId}`).expect(200)).body;
    expect(lead.opportunityIds).toEqual([first.body.opportunityId]);
  });

  it('captures one lead however often a capture is retried with a key, even after its answer was lost', async () => {
    const key = randomUUID();
    const body = newLead({ externalId: randomUUID() });
    const first = await post('/v1/leads', body, key);
    expect(first.status).toBe(201);
    t = await restart(t, { forgetAnswers: true });
    const before = await head();
    const retried = await post('/v1/leads', body, key);
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ leadId: first.body.leadId, events: [] });
    expect(await eventsAfter(before)).toEqual([]);
  });

  it('replays after a restart on the same data folder', async () => {
    const key = randomUUID();
    const body = newLead();
    const first = await post('/v1/leads', body, key);
    t = await restart(t);
    const before = await head();
    const again = await post('/v1/leads', body, key);
    expect({ status: again.status, body: again.body, replayed: again.headers[REPLAYED] }).toEqual({ status: first.status, body: first.body, replayed: 'true' });
    expect(await head()).toEqual(before);
  });

  it('runs concurrent duplicates exactly once: the others are told the key is in flight, or get the answer', async () => {
    const leadId = (await post('/v1/leads', newLead())).body.leadId as string;
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(`/v1/leads/${leadId}/activities`, { type: 'webinar_attended' }, key)));
    const ran = answers.filter((a) => a.status === 200 && !a.headers[REPLAYED]);
    expect(ran).toHaveLength(1);
    for (const other of answers.filter((a) => a !== ran[0])) {
      if (other.status === 409) expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_FLIGHT', error: 'CONFLICT' });
      else expect({ status: other.status, body: other.body, replayed: other.headers[REPLAYED] }).toEqual({ status: 200, body: ran[0].body, replayed: 'true' });
    }
    const history = (await t.http.get(`/v1/leads/${leadId}/history`).expect(200)).body.events as Array<{ type: string }>;
    expect(history.filter((e) => e.type === 'EngagementRecorded')).toHaveLength(1);
  });

  it('keys per tenant: the same key in another tenant is another request', async () => {
    const key = randomUUID();
    const a = await post('/v1/leads', newLead(), key, 'tenant-a');
    const b = await post('/v1/leads', newLead(), key, 'tenant-b');
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers[REPLAYED]).toBeUndefined();
    expect(b.body.leadId).not.toBe(a.body.leadId);
  });

  it('does not record a refusal: after a 4xx the same key and body run again', async () => {
    const leadId = (await post('/v1/leads', newLead())).body.leadId as string;
    const key = randomUUID();
    const body = { bant: allBant, qualifiedBy: 'sdr-1' };
    const refused = await post(`/v1/leads/${leadId}/sql`, body, key);
    expect(refused.status).toBe(409);
    // Now the lead qualifies: the same request runs and succeeds.
    await post(`/v1/leads/${leadId}/activities`, { type: 'demo_request' });
    await post(`/v1/leads/${leadId}/activities`, { type: 'meeting_booked' });
    const accepted = await post(`/v1/leads/${leadId}/sql`, body, key);
    expect(accepted.status).toBe(200);
    expect(accepted.headers[REPLAYED]).toBeUndefined();
  });

  it('refuses a key that is not 1 to 200 printable characters with 400, appending nothing', async () => {
    const before = await head();
    for (const key of ['k'.repeat(201), 'tab\there', 'é-accent']) {
      const res = await t.http.post('/v1/leads').set('Idempotency-Key', key).send(newLead());
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'Idempotency-Key', reason: expect.any(String) }] });
    }
    expect(await head()).toEqual(before);
    expect((await post('/v1/leads', newLead(), 'k'.repeat(200))).status).toBe(201);
  });
});

describe('Idempotency-Key expiry', () => {
  it('frees a key after IDEMPOTENCY_TTL_HOURS', async () => {
    const clock = new ManualClock(new Date());
    const t = await startTestApp({ env: { IDEMPOTENCY_TTL_HOURS: '1' }, module: { clock } });
    try {
      const key = randomUUID();
      const send = (email: string) => t.http.post('/v1/leads').set('Idempotency-Key', key).send({ contact: { email }, source: { channel: 'seo' } });
      expect((await send(`${randomUUID()}@a.test`)).status).toBe(201);
      clock.advance(59 * 60_000);
      expect((await send(`${randomUUID()}@b.test`)).status).toBe(422);
      clock.advance(2 * 60_000);
      expect((await send(`${randomUUID()}@c.test`)).status).toBe(201);
    } finally {
      await t.close();
      removeDataDir(t.dataDir);
    }
  });
});

/** Closes the app and starts it again on the same data folder; `forgetAnswers` loses the recorded answers, as a crash before recording would. */
async function restart(t: TestApp, options: { forgetAnswers?: boolean } = {}): Promise<TestApp> {
  await t.close();
  if (options.forgetAnswers) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(t.dataDir, `idempotency.sqlite${suffix}`), { force: true });
  }
  return startTestApp({ dataDir: t.dataDir });
}
