import { randomUUID } from 'node:crypto';
import { comparePositions, type EventStore, positionToString, type StoredEvent } from '@lead-lifecycle/eventing';
import { eventually, removeDataDir, startTestApp, type TestApp } from '../support/test-app';
import { leadStreamId, opportunityStreamId } from '@lead-lifecycle/domain';

/** How the scenarios reach the store under test. */
export interface StoreSetup {
  /** Environment for the app (EVENT_STORE and its connection). */
  env(): Record<string, string>;
  /** A second handle on the same store, as another process would have. */
  openStore(dataDir: string): EventStore;
}

const highFit = {
  jobTitle: 'VP Engineering',
  company: { name: 'Acme', size: 5000, industry: 'software', country: 'US' },
};
const allBant = {
  budget: { met: true, note: 'approved' },
  authority: { met: true },
  need: { met: true },
  timeline: { met: true },
};

async function allEvents(t: TestApp): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (;;) {
    const batch = await t.store.readAll({ after: out[out.length - 1]?.position, maxCount: 1000 });
    out.push(...batch);
    if (batch.length < 1000) return out;
  }
}

/** The HTTP end-to-end lifecycle, run once per event store adapter. */
export function describeLifecycleScenarios(label: string, setup: StoreSetup): void {
describe(`lead lifecycle over HTTP (${label})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: setup.env() });
  });
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  async function capture(body: Record<string, unknown>, tenant = 'default') {
    return t.http.post('/v1/leads').set('X-Tenant-Id', tenant).send(body);
  }

  async function sqlLead(): Promise<string> {
    const created = await capture({ contact: { email: `${randomUUID()}@acme.test` }, ...highFit, source: { channel: 'web_form' } });
    expect(created.status).toBe(201);
    const leadId = created.body.leadId;
    expect((await t.http.get(`/v1/leads/${leadId}`)).body.stage).toBe('mql');
    await t.http.post(`/v1/leads/${leadId}/sql`).send({ bant: allBant, qualifiedBy: 'sdr-1' }).expect(200);
    return leadId;
  }

  it('drives a lead from capture to customer and shows the whole journey in global order', async () => {
    const correlationId = randomUUID();
    const created = await t.http
      .post('/v1/leads')
      .set('X-Actor', 'form-service')
      .set('X-Correlation-Id', correlationId)
      .send({
        contact: { email: '  Grace.Hopper@Example.COM ', phone: '+1 (555) 010-0100', firstName: 'Grace' },
        jobTitle: 'Engineering Manager',
        company: { size: 300, industry: 'software' },
        source: { channel: 'trade_show', campaign: 'expo-2026', cost: 120 },
      })
      .expect(201);
    const leadId: string = created.body.leadId;
    expect(created.body.events).toEqual(['LeadCaptured', 'ScoreChanged']);
    expect(typeof created.body.position).toBe('string');

    let lead = (await t.http.get(`/v1/leads/${leadId}`).expect(200)).body;
    expect(lead).toMatchObject({ leadId, stage: 'lead', score: { total: 40, fit: 40, engagement: 0 }, temperature: 'warm' });
    expect(lead.contact).toEqual({ email: 'grace.hopper@example.com', phone: '+15550100100', firstName: 'Grace' });

    const activity = await t.http.post(`/v1/leads/${leadId}/activities`).send({ type: 'pricing_page_view' }).expect(200);
    expect(activity.body.events).toEqual(['EngagementRecorded', 'ScoreChanged', 'QualifiedAsMQL']);
    await t.http.post(`/v1/leads/${leadId}/assign`).send({ ownerId: 'rep-7' }).expect(200);
    await t.http.post(`/v1/leads/${leadId}/sql`).send({ bant: allBant, qualifiedBy: 'sdr-1' }).expect(200);

    const opened = await t.http
      .post(`/v1/leads/${leadId}/opportunities`)
      .send({ name: 'Acme rollout', amount: 24000, currency: 'EUR', expectedCloseDate: '2026-12-31' })
      .expect(201);
    const opportunityId: string = opened.body.opportunityId;
    // The reaction ran before the response: the lead already shows the new stage, the opportunity exists.
    expect((await t.http.get(`/v1/leads/${leadId}`)).body).toMatchObject({ stage: 'opportunity', opportunityIds: [opportunityId] });
    expect((await t.http.get(`/v1/opportunities/${opportunityId}`).expect(200)).body).toMatchObject({
      status: 'open',
      stage: 'qualification',
      leadId,
      amount: 24000,
    });

    await t.http.post(`/v1/opportunities/${opportunityId}/stage`).send({ stage: 'proposal' }).expect(200);
    await t.http.post(`/v1/opportunities/${opportunityId}/win`).send({ amount: 25000 }).expect(200);
    lead = (await t.http.get(`/v1/leads/${leadId}`)).body;
    expect(lead).toMatchObject({ stage: 'customer', wonOpportunityId: opportunityId, ownerId: 'rep-7' });

    const history = (await t.http.get(`/v1/leads/${leadId}/history`).expect(200)).body;
    expect(history.events.map((e: { type: string }) => e.type)).toEqual([
      'LeadCaptured',
      'ScoreChanged',
      'EngagementRecorded',
      'ScoreChanged',
      'QualifiedAsMQL',
      'LeadAssigned',
      'PromotedToSQL',
      'OpportunityOpenedForLead',
      'OpportunityOpened',
      'OpportunityStageChanged',
      'OpportunityWon',
      'ConvertedToCustomer',
    ]);
    const positions = history.events.map((e: { position: string }) => BigInt(e.position));
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    const [first] = history.events;
    // The actor is the credential; the X-Actor the caller sent is only a claim of it.
    expect(first.metadata).toMatchObject({ tenantId: 'default', actor: expect.stringMatching(/^apikey:/), onBehalfOf: 'form-service', correlationId, command: 'CaptureLead' });
    expect(first.schemaVersion).toBe(1);
    expect(first.metadata.occurredAt).toEqual(first.data.occurredAt);
    expect(Date.parse(first.metadata.recordedAt)).not.toBeNaN();
    const won = history.events.find((e: { type: string }) => e.type === 'OpportunityWon');
    const converted = history.events.find((e: { type: string }) => e.type === 'ConvertedToCustomer');
    expect(converted.metadata).toMatchObject({ actor: 'reaction:opportunity-lifecycle', causationId: won.eventId });
    expect(converted.data).toMatchObject({ opportunityId, amount: 25000, currency: 'EUR' });
  });

  it('deduplicates captures by email, phone and external id within a tenant', async () => {
    const email = `${randomUUID()}@dupe.test`;
    const first = await capture({ contact: { email, phone: '+44 20 7946 0001' }, externalId: 'crm-1-' + email, source: { channel: 'seo' } });
    expect(first.status).toBe(201);
    const byEmail = await capture({ contact: { email: email.toUpperCase() }, source: { channel: 'paid_ads', campaign: 'x' } });
    expect(byEmail.status).toBe(200);
    expect(byEmail.body).toMatchObject({ leadId: first.body.leadId, deduplicated: true, events: ['LeadRecaptured'] });
    const byPhone = await capture({ contact: { phone: '0044 20 7946 0001' }, source: { channel: 'referral' } });
    expect(byPhone.body).toMatchObject({ leadId: first.body.leadId, deduplicated: true });
    const byExternal = await capture({ contact: {}, externalId: 'crm-1-' + email, source: { channel: 'import' } });
    expect(byExternal.body).toMatchObject({ leadId: first.body.leadId, deduplicated: true });

    const otherTenant = await capture({ contact: { email }, source: { channel: 'seo' } }, 'tenant-b');
    expect(otherTenant.status).toBe(201);
    expect(otherTenant.body.leadId).not.toBe(first.body.leadId);
    await t.http.get(`/v1/leads/${first.body.leadId}`).set('X-Tenant-Id', 'tenant-b').expect(404);
    await t.http.get(`/v1/leads/${first.body.leadId}/history`).set('X-Tenant-Id', 'tenant-b').expect(404);

    const history = (await t.http.get(`/v1/leads/${first.body.leadId}/history`)).body.events;
    const recaptures = history.filter((e: { type: string }) => e.type === 'LeadRecaptured');
    expect(recaptures.map((e: { data: { matchedOn: string[] } }) => e.data.matchedOn)).toEqual([['email'], ['phone'], ['externalId']]);
  });

  it('turns concurrent captures of one new email into one lead', async () => {
    const email = `${randomUUID()}@race.test`;
    const responses = await Promise.all(
      Array.from({ length: 16 }, (_, i) => capture({ contact: { email, firstName: `n${i}` }, source: { channel: 'web_form' } })),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(15);
    const ids = new Set(responses.map((r) => r.body.leadId));
    expect(ids.size).toBe(1);
    const [leadId] = [...ids];
    const captured = (await allEvents(t)).filter((e) => e.type === 'LeadCaptured' && (e.data.contact as { email?: string }).email === email);
    expect(captured).toHaveLength(1);
    expect(captured[0].streamId).toBe(leadStreamId(leadId));
    const stream = await t.store.readStream(leadStreamId(leadId));
    expect(stream.filter((e) => e.type === 'LeadRecaptured')).toHaveLength(15);
  });

  it('loses no update when many writers change one lead at once', async () => {
    const created = await capture({ contact: { email: `${randomUUID()}@busy.test` }, source: { channel: 'email' } });
    const leadId = created.body.leadId;
    const results = await Promise.all(
      Array.from({ length: 12 }, () => t.http.post(`/v1/leads/${leadId}/activities`).send({ type: 'email_open' })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    const stream = await t.store.readStream(leadStreamId(leadId));
    expect(stream.filter((e) => e.type === 'EngagementRecorded')).toHaveLength(12);
    const lastScore = stream.filter((e) => e.type === 'ScoreChanged').pop()!;
    expect((lastScore.data.current as { engagement: number }).engagement).toBeCloseTo(12, 0);
  });

  describe('bad input is refused with every bad field and appends nothing', () => {
    it.each([
      [
        'no identity, bad channel, negative cost',
        { contact: { firstName: 'x' }, source: { channel: 'fax', cost: -1 } },
        ['externalId', 'source.channel', 'source.cost'],
      ],
      ['bad email and unknown field', { contact: { email: 'nope' }, source: { channel: 'seo' }, extra: 1 }, ['contact.email', 'extra']],
      ['missing source', { contact: { email: 'a@b.test' } }, ['source']],
      ['bad company', { contact: { email: 'a@b.test' }, company: { size: 0, country: 'Narnia' }, source: { channel: 'seo' } }, ['company.size', 'company.country']],
    ])('capture: %s', async (_name, body, fields) => {
      const head = await t.store.headPosition();
      const response = await t.http.post('/v1/leads').send(body).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.problems.map((p: { field: string }) => p.field).sort()).toEqual([...fields].sort());
      for (const p of response.body.problems) expect(p.reason).toEqual(expect.any(String));
      expect(comparePositions(await t.store.headPosition(), head)).toBe(0);
    });

    it('refuses bad commands on a lead and bad headers', async () => {
      const leadId = (await capture({ contact: { email: `${randomUUID()}@bad.test` }, source: { channel: 'seo' } })).body.leadId;
      const head = await t.store.headPosition();
      const activity = await t.http.post(`/v1/leads/${leadId}/activities`).send({ type: 'telepathy' }).expect(400);
      expect(activity.body.problems).toEqual([{ field: 'type', reason: expect.stringContaining('unknown activity type') }]);
      const sql = await t.http.post(`/v1/leads/${leadId}/sql`).send({ bant: { budget: { met: 'yes' } }, qualifiedBy: '' }).expect(400);
      expect(sql.body.problems.map((p: { field: string }) => p.field)).toEqual(
        expect.arrayContaining(['bant.budget.met', 'bant.authority', 'bant.need', 'bant.timeline', 'qualifiedBy']),
      );
      await t.http.post(`/v1/leads/${leadId}/disqualify`).send({ reason: 'bored' }).expect(400);
      await t.http.post(`/v1/leads/not-a-uuid/activities`).send({ type: 'email_open' }).expect(400);
      await t.http.post(`/v1/leads/${leadId}/opportunities`).send({ amount: -5, currency: 'euro' }).expect(400);
      const header = await t.http.post(`/v1/leads/${leadId}/activities`).set('X-Actor', 'x'.repeat(201)).send({ type: 'email_open' }).expect(400);
      expect(header.body.problems[0].field).toBe('X-Actor');
      // The tenant comes from the credential: a header naming another (or no valid) tenant is refused, not obeyed.
      const tenant = await t.http.get(`/v1/leads/${leadId}`).set('X-Tenant-Id', 'bad tenant!').expect(403);
      expect(tenant.body.code).toBe('TENANT_MISMATCH');
      expect(comparePositions(await t.store.headPosition(), head)).toBe(0);
    });
  });

  describe('lifecycle refusals answer 409, name the stage and the move, and append nothing', () => {
    it('refuses to promote a lead that is not an MQL', async () => {
      const leadId = (await capture({ contact: { email: `${randomUUID()}@cold.test` }, source: { channel: 'seo' } })).body.leadId;
      const head = await t.store.headPosition();
      const response = await t.http.post(`/v1/leads/${leadId}/sql`).send({ bant: allBant, qualifiedBy: 'sdr' }).expect(409);
      expect(response.body).toMatchObject({ code: 'LIFECYCLE_VIOLATION', currentStage: 'lead', attemptedMove: 'promote to sql' });
      await t.http.post(`/v1/leads/${leadId}/opportunities`).send({ amount: 1, currency: 'EUR' }).expect(409);
      expect(comparePositions(await t.store.headPosition(), head)).toBe(0);
    });

    it('refuses an SQL promotion that fails the BANT policy, with the reason', async () => {
      const leadId = (await capture({ contact: { email: `${randomUUID()}@mql.test` }, ...highFit, source: { channel: 'seo' } })).body.leadId;
      const bant = { ...allBant, need: { met: false }, timeline: { met: false } };
      const response = await t.http.post(`/v1/leads/${leadId}/sql`).send({ bant, qualifiedBy: 'sdr' }).expect(409);
      expect(response.body.code).toBe('QUALIFICATION_REFUSED');
      expect(response.body.message).toContain('not met: need, timeline');
      expect((await t.http.get(`/v1/leads/${leadId}`)).body.stage).toBe('mql');
    });

    it('keeps closed opportunities and customers where they are', async () => {
      const leadId = await sqlLead();
      const opportunityId = (await t.http.post(`/v1/leads/${leadId}/opportunities`).send({ amount: 10, currency: 'USD' })).body.opportunityId;
      const disqualify = await t.http.post(`/v1/leads/${leadId}/disqualify`).send({ reason: 'no_budget' }).expect(409);
      expect(disqualify.body.message).toContain('opportunities still open');
      await t.http.post(`/v1/opportunities/${opportunityId}/lose`).send({ reason: 'price' }).expect(200);
      const lost = await t.http.post(`/v1/opportunities/${opportunityId}/win`).send({}).expect(409);
      expect(lost.body).toMatchObject({ currentStage: 'lost', attemptedMove: 'win' });
      // With its only opportunity lost the lead may now be recycled into nurture, and requalify later.
      await t.http.post(`/v1/leads/${leadId}/recycle`).send({ reason: 'lost on price' }).expect(200);
      const lead = (await t.http.get(`/v1/leads/${leadId}`)).body;
      expect(lead).toMatchObject({ stage: 'nurturing', recycleReason: 'lost on price' });
      expect(lead.opportunities[opportunityId]).toBe('lost');
      await t.http.post(`/v1/leads/${leadId}/recycle`).send({}).expect(409);
      await t.http.post(`/v1/opportunities/${opportunityId}/stage`).send({ stage: 'proposal' }).expect(409);
      await t.http.post(`/v1/opportunities/${randomUUID()}/win`).send({}).expect(404);
    });

    it('answers 404 for a lead that does not exist', async () => {
      const response = await t.http.post(`/v1/leads/${randomUUID()}/assign`).send({ ownerId: 'x' }).expect(404);
      expect(response.body.code).toBe('LEAD_NOT_FOUND');
    });
  });

  it('serves the state as of a revision or a past time, folded with the live code', async () => {
    const leadId = (await capture({ contact: { email: `${randomUUID()}@asof.test` }, source: { channel: 'seo' }, occurredAt: '2026-01-01T00:00:00.000Z' })).body.leadId;
    await t.http.post(`/v1/leads/${leadId}/activities`).send({ type: 'demo_request', occurredAt: '2026-01-05T00:00:00.000Z' }).expect(200);
    await t.http.post(`/v1/leads/${leadId}/activities`).send({ type: 'meeting_booked', occurredAt: '2026-01-06T00:00:00.000Z' }).expect(200);
    expect((await t.http.get(`/v1/leads/${leadId}?revision=0`)).body).toMatchObject({ stage: 'lead', revision: 0, score: { total: 0 } });
    const asOf = (await t.http.get(`/v1/leads/${leadId}?asOf=2026-01-05T12:00:00.000Z`)).body;
    expect(asOf).toMatchObject({ stage: 'lead', score: { engagement: 25 } });
    expect((await t.http.get(`/v1/leads/${leadId}`)).body.stage).toBe('mql');
  });

  it('publishes an OpenAPI document with the public routes', async () => {
    const doc = (await t.http.get('/docs/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/leads', '/v1/leads/{id}', '/v1/leads/{id}/history', '/v1/opportunities/{id}/win', '/health']),
    );
    expect((await t.http.get('/health').expect(200)).body).toMatchObject({ status: 'ok', eventStore: setup.env().EVENT_STORE ?? 'sqlite' });
  });
});

describe(`repair after a crash between the two streams (${label})`, () => {
  it('finishes a win whose lead update was lost, exactly once, at restart', async () => {
    let t = await startTestApp({ env: setup.env() });
    const dataDir = t.dataDir;
    const email = `${randomUUID()}@crash.test`;
    const leadId = (await t.http.post('/v1/leads').send({ contact: { email }, ...highFit, source: { channel: 'seo' } })).body.leadId;
    await t.http.post(`/v1/leads/${leadId}/sql`).send({ bant: allBant, qualifiedBy: 'sdr' }).expect(200);
    const opportunityId = (await t.http.post(`/v1/leads/${leadId}/opportunities`).send({ amount: 500, currency: 'EUR' })).body.opportunityId;
    await t.close();

    // The process dies right after writing OpportunityWon, before the lead is converted.
    const store = setup.openStore(dataDir);
    const [opened] = await store.readStream(opportunityStreamId(opportunityId));
    await store.appendToStream(
      opportunityStreamId(opportunityId),
      [
        {
          eventId: randomUUID(),
          type: 'OpportunityWon',
          schemaVersion: 1,
          data: { opportunityId, leadId, amount: 500, currency: 'EUR', occurredAt: new Date().toISOString() },
          metadata: { ...opened.metadata, actor: 'crashed-process', causationId: randomUUID() },
        },
      ],
      0n,
    );
    await store.close();

    t = await startTestApp({ dataDir, env: setup.env() });
    await eventually(async () => (await t.http.get(`/v1/leads/${leadId}`)).body.stage === 'customer', 5000, 'lead converted');
    await t.close();
    // A second restart replays from the checkpoint and changes nothing.
    t = await startTestApp({ dataDir, env: setup.env() });
    await new Promise((r) => setTimeout(r, 300));
    const stream = await t.store.readStream(leadStreamId(leadId));
    expect(stream.filter((e) => e.type === 'ConvertedToCustomer')).toHaveLength(1);
    await t.close();
    removeDataDir(dataDir);
  });

  it('creates the opportunity stream when the process died after recording it on the lead', async () => {
    let t = await startTestApp({ env: setup.env() });
    const dataDir = t.dataDir;
    const leadId = (await t.http.post('/v1/leads').send({ contact: { email: `${randomUUID()}@crash2.test` }, ...highFit, source: { channel: 'seo' } }))
      .body.leadId;
    await t.http.post(`/v1/leads/${leadId}/sql`).send({ bant: allBant, qualifiedBy: 'sdr' }).expect(200);
    await t.close();

    const store = setup.openStore(dataDir);
    const lead = await store.readStream(leadStreamId(leadId));
    const opportunityId = randomUUID();
    const last = lead[lead.length - 1];
    await store.appendToStream(
      leadStreamId(leadId),
      [
        {
          eventId: randomUUID(),
          type: 'OpportunityOpenedForLead',
          schemaVersion: 1,
          data: { leadId, opportunityId, amount: 900, currency: 'GBP', occurredAt: new Date().toISOString() },
          metadata: { ...last.metadata, actor: 'crashed-process', causationId: randomUUID() },
        },
      ],
      last.revision,
    );
    await store.close();

    t = await startTestApp({ dataDir, env: setup.env() });
    await eventually(async () => (await t.http.get(`/v1/opportunities/${opportunityId}`)).status === 200, 5000, 'opportunity opened');
    const opportunity = (await t.http.get(`/v1/opportunities/${opportunityId}`)).body;
    expect(opportunity).toMatchObject({ leadId, amount: 900, currency: 'GBP', stage: 'qualification', status: 'open' });
    expect(positionToString((await t.store.readStream(opportunityStreamId(opportunityId)))[0].position)).toMatch(/^\d+$/);
    await t.close();
    removeDataDir(dataDir);
  });
});
}
