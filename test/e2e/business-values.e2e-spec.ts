import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideLead, DEFAULT_LIFECYCLE_CONFIG, evolveLead, initialLeadState, type LeadCommand, type LeadState, leadStreamId, opportunityStreamId, SEALED_STREAM_PREFIXES } from '@lead-lifecycle/domain';
import { HashChainingEventStore, positionToString, SqliteEventStore, storedForm, verifyIntegrity } from '@lead-lifecycle/eventing';
import { LEGACY_ISO_TIME_FORMS } from '../support/issue-11-time-forms';
import { eventually, removeDataDir, startTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(120_000);

/**
 * Issue 11, "one time type" and "bounded, typed numbers", through the HTTP API: every time form the
 * old validation let through and every bad amount is a 400 naming the field with nothing appended;
 * times outside the window around now are refused; events already stored with legacy times are read
 * normalised by history, the lead, as-of and the read models (the log keeps what was written); and
 * amounts near the maximum sum exactly.
 */
const NORMALISED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const allBant = { budget: { met: true }, authority: { met: true }, need: { met: true }, timeline: { met: true } };
/** Fit 65 (CTO, 2000 employees, software, US): an MQL at capture. */
const hotLead = (tenant: string) => ({
  contact: { email: `${randomUUID()}@${tenant}.test` },
  jobTitle: 'CTO',
  company: { size: 2000, industry: 'software', country: 'US' },
  source: { channel: 'seo' },
});

const BAD_TIMES: unknown[] = [
  // the forms of issue 11
  ...LEGACY_ISO_TIME_FORMS,
  // more that is not an RFC 3339 date-time with offset, or not a real time
  '2026-02-01 10:00:00Z',
  '2026-02-01T10:00:00+0100',
  '2026-02-30T10:00:00Z',
  '2026-13-01T10:00:00Z',
  '2026-02-01T24:00:00Z',
  '2026-06-30T23:59:60Z',
  '+2026-02-01T10:00:00Z',
  '',
  'yesterday',
  1767261600000,
];

describe('business times and money at the HTTP API', () => {
  let t: TestApp;
  let sqlLead: string;

  beforeAll(async () => {
    t = await startTestApp();
    sqlLead = (await t.http.post('/v1/leads').send(hotLead('values')).expect(201)).body.leadId;
    await t.http.post(`/v1/leads/${sqlLead}/sql`).send({ bant: allBant, qualifiedBy: 'sdr-1' }).expect(200);
  });
  afterAll(async () => {
    await t?.close();
    removeDataDir(t.dataDir);
  });

  /** Sends the request and checks: 400, the field named in problems, and the store's head unchanged. */
  async function refused(send: () => Promise<{ status: number; body: { problems?: Array<{ field: string; reason: string }> } }>, field: string): Promise<string> {
    const head = positionToString(await t.store.headPosition());
    const response = await send();
    expect({ status: response.status, fields: response.body.problems?.map((p) => p.field) }).toEqual({ status: 400, fields: [field] });
    expect(positionToString(await t.store.headPosition())).toBe(head);
    return response.body.problems![0].reason;
  }

  describe.each(BAD_TIMES.map((v) => [JSON.stringify(v), v]))('the time %s', (_name, bad) => {
    it('is refused as a capture time, before any identity is reserved', async () => {
      const reason = await refused(() => t.http.post('/v1/leads').send({ ...hotLead('bad-time'), occurredAt: bad }), 'occurredAt');
      expect(reason).toMatch(/^occurredAt must /);
    });

    it('is refused as an activity time and a promotion time', async () => {
      await refused(() => t.http.post(`/v1/leads/${sqlLead}/activities`).send({ type: 'page_view', occurredAt: bad }), 'occurredAt');
      await refused(() => t.http.post(`/v1/leads/${sqlLead}/sql`).send({ bant: allBant, qualifiedBy: 'sdr-1', occurredAt: bad }), 'occurredAt');
    });

    it('is refused as asOf, from and to', async () => {
      const q = encodeURIComponent(String(bad));
      await refused(() => t.http.get(`/v1/leads/${sqlLead}?asOf=${q}`), 'asOf');
      await refused(() => t.http.get(`/v1/funnel?from=${q}`), 'from');
      await refused(() => t.http.get(`/v1/kpis?to=${q}`), 'to');
    });
  });

  it('stores an accepted time with an offset in UTC with milliseconds', async () => {
    await t.http.post(`/v1/leads/${sqlLead}/activities`).send({ type: 'page_view', occurredAt: '2026-06-01T12:00:00.1234+02:00' }).expect(200);
    const events = (await t.http.get(`/v1/leads/${sqlLead}/history`).expect(200)).body.events as Array<{ type: string; data: { occurredAt: string }; metadata: { occurredAt: string } }>;
    const recorded = events.filter((e) => e.type === 'EngagementRecorded').pop()!;
    expect([recorded.data.occurredAt, recorded.metadata.occurredAt]).toEqual(['2026-06-01T10:00:00.123Z', '2026-06-01T10:00:00.123Z']);
    for (const e of events) expect(e.metadata.occurredAt).toMatch(NORMALISED);
  });

  it('refuses a time beyond now plus the skew, and one backdated beyond the limit', async () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const future = await refused(() => t.http.post(`/v1/leads/${sqlLead}/activities`).send({ type: 'demo_request', occurredAt: inAnHour }), 'occurredAt');
    expect(future).toContain('future');
    await refused(() => t.http.post(`/v1/leads/${sqlLead}/activities`).send({ type: 'demo_request', occurredAt: '9999-12-31T23:59:59Z' }), 'occurredAt');
    await refused(() => t.http.post('/v1/leads').send({ ...hotLead('future'), occurredAt: inAnHour }), 'occurredAt');
    const twentyYearsAgo = new Date(Date.now() - 20 * 365 * 86_400_000).toISOString();
    expect(await refused(() => t.http.post(`/v1/leads/${sqlLead}/activities`).send({ type: 'page_view', occurredAt: twentyYearsAgo }), 'occurredAt')).toContain('days');
    // the query side has no window: a far-future asOf is a valid question
    await t.http.get(`/v1/leads/${sqlLead}?asOf=9999-12-31T23:59:59Z`).expect(200);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an amount beyond the maximum', { amount: 1e308, currency: 'EUR' }, 'amount'],
    ['a negative amount', { amount: -1, currency: 'EUR' }, 'amount'],
    ['an amount with more than cents in EUR', { amount: 12.345, currency: 'EUR' }, 'amount'],
    ['an amount with decimals in JPY', { amount: 10.5, currency: 'JPY' }, 'amount'],
    ['an amount with 4 decimals in BHD', { amount: 1.2345, currency: 'BHD' }, 'amount'],
    ['an amount as a string', { amount: '100', currency: 'EUR' }, 'amount'],
    ['no amount', { currency: 'EUR' }, 'amount'],
    ['a lower-case currency', { amount: 100, currency: 'eur' }, 'currency'],
    ['an unknown currency', { amount: 100, currency: 'XYZ' }, 'currency'],
    ['a currency that is not a string', { amount: 100, currency: 978 }, 'currency'],
    ['an expected close date in week form', { amount: 100, currency: 'EUR', expectedCloseDate: '2026-W53-4' }, 'expectedCloseDate'],
    ['an expected close date with a time', { amount: 100, currency: 'EUR', expectedCloseDate: '2026-12-31T00:00:00Z' }, 'expectedCloseDate'],
    ['an expected close date that is no day', { amount: 100, currency: 'EUR', expectedCloseDate: '2026-02-30' }, 'expectedCloseDate'],
  ])('refuses an opportunity with %s', async (_name, body, field) => {
    await refused(() => t.http.post(`/v1/leads/${sqlLead}/opportunities`).send(body), field);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a cost with more than cents', { source: { channel: 'seo', cost: 0.125 } }, 'source.cost'],
    ['a cost beyond the maximum', { source: { channel: 'seo', cost: 1e308 } }, 'source.cost'],
    ['a negative cost', { source: { channel: 'seo', cost: -5 } }, 'source.cost'],
    ['a company too large', { company: { size: 100_000_000 } }, 'company.size'],
    ['a company size with decimals', { company: { size: 2.5 } }, 'company.size'],
  ])('refuses a capture with %s', async (_name, over, field) => {
    await refused(() => t.http.post('/v1/leads').send({ ...hotLead('bad-money'), ...over }), field);
  });

  it('accepts amounts in the minor unit of each currency, and refuses a final amount that is not', async () => {
    for (const [amount, currency] of [
      [1000, 'JPY'],
      [1.234, 'BHD'],
      [0.07, 'EUR'],
    ] as const) {
      await t.http.post(`/v1/leads/${sqlLead}/opportunities`).send({ amount, currency, expectedCloseDate: '2026-12-31' }).expect(201);
    }
    const { opportunityIds } = (await t.http.get(`/v1/leads/${sqlLead}`).expect(200)).body as { opportunityIds: string[] };
    const inYen = (
      await Promise.all(opportunityIds.map(async (id) => (await t.http.get(`/v1/opportunities/${id}`).expect(200)).body as { opportunityId: string; currency: string }))
    ).find((o) => o.currency === 'JPY')!;
    await refused(() => t.http.post(`/v1/opportunities/${inYen.opportunityId}/win`).send({ amount: 999.5 }), 'amount');
    await refused(() => t.http.post(`/v1/opportunities/${inYen.opportunityId}/win`).send({ amount: 1e308 }), 'amount');
    await t.http.post(`/v1/opportunities/${inYen.opportunityId}/win`).send({ amount: 999 }).expect(200);
  });

  it('sums two opportunities of about 1e12 exactly in pipelineValue', async () => {
    const tenant = `exact-${randomUUID().slice(0, 8)}`;
    const leadId = (await t.http.post('/v1/leads').set('X-Tenant-Id', tenant).send(hotLead(tenant)).expect(201)).body.leadId;
    await t.http.post(`/v1/leads/${leadId}/sql`).set('X-Tenant-Id', tenant).send({ bant: allBant, qualifiedBy: 'sdr-1' }).expect(200);
    for (const amount of [999_999_999_999.99, 999_999_999_999.97, 0.1, 0.2]) {
      await t.http.post(`/v1/leads/${leadId}/opportunities`).set('X-Tenant-Id', tenant).send({ amount, currency: 'EUR' }).expect(201);
    }
    const head = positionToString(await t.store.headPosition());
    const kpis = (await t.http.get(`/v1/kpis?minPosition=${t.token(tenant, head)}`).set('X-Tenant-Id', tenant).expect(200)).body;
    // 99 999 999 999 999 + 99 999 999 999 997 + 10 + 20 cents = 200 000 000 000 026 cents
    expect(kpis.overall.pipelineValue).toEqual({ EUR: 2_000_000_000_000.26 });
    expect(kpis.overall.opportunities).toEqual({ open: 4, won: 0, lost: 0 });
    expect(kpis.overall.wonRevenue).toEqual({});
  });
});

describe('events stored with the legacy times the old validation let through', () => {
  const tenant = 'legacy';
  const leadId = randomUUID();
  const opportunityId = randomUUID();
  let dataDir: string;
  let t: TestApp;

  /** Decides with the real decider on valid times, then writes each event with its time in a legacy form. */
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lead-lifecycle-legacy-'));
    // The inner store (hash chain over the SQLite file), before the app and its upcasting decorator exist.
    const raw = new SqliteEventStore({ filename: join(dataDir, 'events.sqlite') });
    const store = new HashChainingEventStore(raw, SEALED_STREAM_PREFIXES);
    let state: LeadState = initialLeadState;
    let revision: bigint | undefined;
    const write = async (command: LeadCommand, legacyTimes: string[], legacyData: Record<string, unknown> = {}) => {
      const events = decideLead(command, state, DEFAULT_LIFECYCLE_CONFIG);
      state = events.reduce<LeadState>((s, e) => evolveLead(s, e), state);
      expect(events).toHaveLength(legacyTimes.length);
      const result = await store.appendToStream(
        leadStreamId(leadId),
        events.map((e, i) => ({
          eventId: randomUUID(),
          type: e.type,
          schemaVersion: 1,
          data: JSON.parse(JSON.stringify({ ...e.data, ...legacyData, occurredAt: legacyTimes[i] })),
          metadata: { tenantId: tenant, occurredAt: legacyTimes[i], actor: 'v0', correlationId: randomUUID(), causationId: randomUUID() },
        })),
        revision ?? 'no_stream',
      );
      revision = result.nextExpectedRevision;
    };
    const base = { leadId, tenantId: tenant };
    await write(
      { type: 'CaptureLead', ...base, ...hotLead('legacy'), source: { channel: 'seo', cost: 25 }, occurredAt: '2026-01-26T00:00:00.000Z' },
      ['2026-W05-1', '2026-026', '20260126'],
    );
    await write({ type: 'RecordEngagement', activityType: 'demo_request', occurredAt: '2026-02-01T10:00:00.000Z' }, ['2026-02-01T10:00', '2026-02-01T11:00+01']);
    await write({ type: 'PromoteToSQL', bant: allBant, qualifiedBy: 'sdr-0', occurredAt: '2026-02-02T00:00:00.000Z' }, ['2026-02-02']);
    await write(
      { type: 'OpenOpportunityForLead', opportunityId, amount: 5000, currency: 'EUR', expectedCloseDate: '2026-12-31', occurredAt: '2026-02-03T12:00:00.000Z' },
      ['2026-02-03T12Z'],
      { expectedCloseDate: '2026-W53-4' },
    );
    await store.close();
    // The app starts on the data folder; its reaction opens the opportunity from the upcast lead event.
    t = await startTestApp({ dataDir });
    await eventually(async () => (await t.http.get(`/v1/opportunities/${opportunityId}`).set('X-Tenant-Id', tenant)).status === 200, 10_000, 'the reaction');
  });
  afterAll(async () => {
    await t?.close();
    removeDataDir(dataDir);
  });

  it('history shows every time normalised, in the data and the metadata', async () => {
    const { events } = (await t.http.get(`/v1/leads/${leadId}/history`).set('X-Tenant-Id', tenant).expect(200)).body as {
      events: Array<{ type: string; data: Record<string, unknown>; metadata: { occurredAt: string } }>;
    };
    expect(events.map((e) => [e.type, e.data.occurredAt, e.metadata.occurredAt])).toEqual([
      ['LeadCaptured', '2026-01-26T00:00:00.000Z', '2026-01-26T00:00:00.000Z'],
      ['ScoreChanged', '2026-01-26T00:00:00.000Z', '2026-01-26T00:00:00.000Z'],
      ['QualifiedAsMQL', '2026-01-26T00:00:00.000Z', '2026-01-26T00:00:00.000Z'],
      ['EngagementRecorded', '2026-02-01T10:00:00.000Z', '2026-02-01T10:00:00.000Z'],
      ['ScoreChanged', '2026-02-01T10:00:00.000Z', '2026-02-01T10:00:00.000Z'],
      ['PromotedToSQL', '2026-02-02T00:00:00.000Z', '2026-02-02T00:00:00.000Z'],
      ['OpportunityOpenedForLead', '2026-02-03T12:00:00.000Z', '2026-02-03T12:00:00.000Z'],
      ['OpportunityOpened', '2026-02-03T12:00:00.000Z', '2026-02-03T12:00:00.000Z'],
    ]);
    expect(events.filter((e) => e.type.startsWith('OpportunityOpened')).map((e) => e.data.expectedCloseDate)).toEqual(['2026-12-31', '2026-12-31']);
    const csv = (await t.http.get(`/v1/leads/${leadId}/history?format=csv`).set('X-Tenant-Id', tenant).expect(200)).text;
    expect(csv).not.toContain('2026-W05-1');
  });

  it('the lead and its past states read the normalised times', async () => {
    const lead = (await t.http.get(`/v1/leads/${leadId}`).set('X-Tenant-Id', tenant).expect(200)).body;
    expect(lead).toMatchObject({ stage: 'opportunity', capturedAt: '2026-01-26T00:00:00.000Z', lastActivityAt: '2026-02-01T10:00:00.000Z' });
    expect(Number.isFinite(lead.score.total)).toBe(true);
    const asOf = async (at: string) => (await t.http.get(`/v1/leads/${leadId}?asOf=${encodeURIComponent(at)}`).set('X-Tenant-Id', tenant).expect(200)).body.stage;
    expect(await asOf('2026-01-26T00:00:00Z')).toBe('mql');
    expect(await asOf('2026-02-01T23:59:59.999Z')).toBe('mql');
    expect(await asOf('2026-02-02T01:00:00+01:00')).toBe('sql');
    expect(await asOf('2026-02-03T12:00:00Z')).toBe('opportunity');
    await t.http.get(`/v1/leads/${leadId}?asOf=2026-01-25T23:59:59.999Z`).set('X-Tenant-Id', tenant).expect(404);
    expect((await t.http.get(`/v1/opportunities/${opportunityId}`).set('X-Tenant-Id', tenant).expect(200)).body).toMatchObject({
      expectedCloseDate: '2026-12-31',
      openedAt: '2026-02-03T12:00:00.000Z',
    });
  });

  it('the read models place the lead in time by the normalised times', async () => {
    const head = positionToString(await t.store.headPosition());
    const list = (await t.http.get(`/v1/leads?minPosition=${t.token(tenant, head)}`).set('X-Tenant-Id', tenant).expect(200)).body;
    expect(list.items).toEqual([expect.objectContaining({ leadId, capturedAt: '2026-01-26T00:00:00.000Z', lastActivityAt: '2026-02-01T10:00:00.000Z' })]);
    const reached = async (from: string) =>
      (await t.http.get(`/v1/funnel?minPosition=${t.token(tenant, head)}&from=${encodeURIComponent(from)}`).set('X-Tenant-Id', tenant).expect(200)).body.groups[0].reached.anyPath;
    expect(await reached('2026-01-26T00:00:00Z')).toMatchObject({ lead: 1, mql: 1, sql: 1, opportunity: 1 });
    expect(await reached('2026-01-26T01:00:00.001+01:00')).toMatchObject({ lead: 0, opportunity: 0 });
    const kpis = (await t.http.get(`/v1/kpis?minPosition=${t.token(tenant, head)}`).set('X-Tenant-Id', tenant).expect(200)).body;
    expect(kpis.overall).toMatchObject({ pipelineValue: { EUR: 5000 }, acquisition: { totalCost: 25 } });
  });

  it('new commands on the lead work, and the log and its hash chain keep what was written', async () => {
    await t.http.post(`/v1/leads/${leadId}/activities`).set('X-Tenant-Id', tenant).send({ type: 'page_view' }).expect(200);
    const lead = (await t.http.get(`/v1/leads/${leadId}`).set('X-Tenant-Id', tenant).expect(200)).body;
    expect(Number.isFinite(lead.score.total)).toBe(true);
    const stored = await storedForm(t.store).readStream(leadStreamId(leadId));
    expect(stored[0]).toMatchObject({ data: { occurredAt: '2026-W05-1' }, metadata: { occurredAt: '2026-W05-1' } });
    expect(stored[6].data.expectedCloseDate).toBe('2026-W53-4');
    expect(await verifyIntegrity(t.store, { streamIds: [leadStreamId(leadId), opportunityStreamId(opportunityId)] })).toMatchObject({ ok: true, verified: 2 });
  });
});
