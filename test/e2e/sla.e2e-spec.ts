import { randomUUID } from 'node:crypto';
import { AUTOMATION_SWEEPS } from '@lead-lifecycle/automation';
import { DEFAULT_LIFECYCLE_CONFIG, type LifecycleConfig, type SlaPolicy } from '@lead-lifecycle/domain';
import { Processors, positionToString, type SweepScheduler } from '@lead-lifecycle/eventing';
import { ManualClock } from '../support/domain/manual-clock';
import { NON_RFC3339_TIMES } from '../support/hostile-requests';
import { removeDataDir, startTestApp, type TestApp } from '../support/test-app';

/**
 * GET /v1/sla over HTTP, with a manual clock: leads assigned, touched in time, breached (the sweeper run
 * by hand at the due time), touched late, still open; the report, its filters and tenant isolation, the
 * speed to lead of GET /v1/kpis from the same history, and hostile queries refused in the one shape.
 */

jest.setTimeout(120_000);

const MINUTE = 60_000;
const TENANT = 'sla-e2e';

const policies: SlaPolicy[] = [
  { id: 'referral-fast', when: { channel: 'referral' }, firstTouchWithin: 'PT10M', calendar: '24x7', onBreach: 'record' },
  { id: 'first-hour', when: {}, firstTouchWithin: 'PT1H', calendar: '24x7', onBreach: 'record' },
];
const config: LifecycleConfig = { ...DEFAULT_LIFECYCLE_CONFIG, sla: { ...DEFAULT_LIFECYCLE_CONFIG.sla, policies } };

describe('GET /v1/sla and speed to lead, over HTTP with a manual clock', () => {
  let t: TestApp;
  let clock: ManualClock;
  let t0: number;
  const iso = (offsetMinutes: number) => new Date(t0 + offsetMinutes * MINUTE).toISOString();
  const leads: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };

  const post = async (path: string, body: object) => {
    const res = await t.http.post(path).set('X-Tenant-Id', TENANT).send(body);
    if (res.status >= 300) throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as { leadId?: string; position: string };
  };
  const capture = async (channel: string) => (await post('/v1/leads', { contact: { email: `${randomUUID()}@sla.test` }, source: { channel } })).leadId!;
  const sla = (query: Record<string, string> = {}, tenant = TENANT) => t.http.get('/v1/sla').query(query).set('X-Tenant-Id', tenant);

  /** Until the SLA reaction has read everything, its own appends included. */
  const settle = async () => {
    const runner = t.app.get(Processors).runner('reaction:sla');
    if (!runner) throw new Error('reaction:sla is not running');
    for (;;) {
      const head = await t.store.headPosition();
      if (!(await runner.waitFor(head, 10_000))) throw new Error('reaction:sla did not catch up');
      if (positionToString(await t.store.headPosition()) === positionToString(head)) return;
    }
  };
  const sweep = () => t.app.get<SweepScheduler>(AUTOMATION_SWEEPS).sweepNow();

  beforeAll(async () => {
    // Whole seconds, so that the expected seconds are exact whatever the start.
    t0 = Math.floor(Date.now() / 1000) * 1000;
    clock = new ManualClock(new Date(t0));
    t = await startTestApp({ module: { clock, lifecycleConfig: config } });
    // Only the test sweeps (sweepNow), so that it sees an SLA overdue before the breach is recorded.
    await t.app.get<SweepScheduler>(AUTOMATION_SWEEPS).stop();

    leads.a = await capture('web_form');
    leads.b = await capture('referral');
    await post(`/v1/leads/${leads.a}/assign`, { ownerId: 'rep-1' });
    await post(`/v1/leads/${leads.b}/assign`, { ownerId: 'rep-2' });
    await settle();
    clock.advance(5 * MINUTE);
    await post(`/v1/leads/${leads.a}/activities`, { type: 'call_logged' }); // in time: met after 300 s
    await settle();
    clock.advance(10 * MINUTE); // t0 + 15 min: B (due t0 + 10 min) is overdue
  });
  afterAll(async () => {
    await t?.close();
    if (t) removeDataDir(t.dataDir);
  });

  it('shows a due SLA as open and overdue until the sweeper records the breach, then as breached', async () => {
    const before = (await sla().expect(200)).body;
    expect(before.counts).toEqual({ started: 2, open: 1, met: 1, breached: 0, ended: 0 });
    expect(before.open).toEqual([
      { slaId: expect.any(String), leadId: leads.b, policyId: 'referral-fast', ownerId: 'rep-2', teamId: null, channel: 'referral', startedAt: iso(0), dueAt: iso(10), overdue: true },
    ]);

    expect(await sweep()).toMatchObject({ 'sweeper:sla-breach': 1 });
    await settle();
    leads.c = await capture('web_form');
    await post(`/v1/leads/${leads.c}/assign`, { ownerId: 'rep-1' });
    clock.advance(1 * MINUTE); // t0 + 16 min
    await post(`/v1/leads/${leads.b}/activities`, { type: 'email_sent' }); // late: after the breach
    await settle();

    const report = (await sla().expect(200)).body;
    expect(report).toEqual({
      filters: {},
      counts: { started: 3, open: 1, met: 1, breached: 1, ended: 0 },
      open: [{ slaId: expect.any(String), leadId: leads.c, policyId: 'first-hour', ownerId: 'rep-1', teamId: null, channel: 'web_form', startedAt: iso(15), dueAt: iso(75), overdue: false }],
      breaches: { total: 1, byPolicy: [{ policyId: 'referral-fast', breaches: 1 }], byOwner: [{ ownerId: 'rep-2', breaches: 1 }] },
      // A met after 300 s, B touched late after 960 s: median of the two middle values, p90 by nearest rank.
      timeToFirstTouch: { measured: 2, medianSeconds: 630, p90Seconds: 960 },
    });
  });

  it('filters by start time [from, to) and by channel, and shows another tenant none of it', async () => {
    const webForm = (await sla({ channel: 'web_form' }).expect(200)).body;
    expect(webForm.counts).toEqual({ started: 2, open: 1, met: 1, breached: 0, ended: 0 });
    expect(webForm.timeToFirstTouch).toEqual({ measured: 1, medianSeconds: 300, p90Seconds: 300 });
    expect(webForm.filters).toEqual({ channel: 'web_form' });

    // Times with an offset are read as instants.
    const offset = new Date(t0 + 10 * MINUTE + 2 * 3_600_000).toISOString().replace('Z', '+02:00').replace(/\.\d{3}/, '');
    const late = (await sla({ from: offset }).expect(200)).body;
    expect(late.counts.started).toBe(1);
    expect(late.filters.from).toBe(iso(10));
    expect(late.open.map((o: { leadId: string }) => o.leadId)).toEqual([leads.c]);
    const early = (await sla({ to: iso(15) }).expect(200)).body;
    expect(early.counts).toEqual({ started: 2, open: 0, met: 1, breached: 1, ended: 0 });
    expect((await sla({ from: iso(15), to: iso(15) }).expect(200)).body.counts.started).toBe(0);

    const other = (await sla({}, 'someone-else').expect(200)).body;
    expect(other).toEqual({
      filters: {},
      counts: { started: 0, open: 0, met: 0, breached: 0, ended: 0 },
      open: [],
      breaches: { total: 0, byPolicy: [], byOwner: [] },
      timeToFirstTouch: { measured: 0, medianSeconds: null, p90Seconds: null },
    });
  });

  it('counts another assignment as the end of the open SLA, and the new owner gets its own', async () => {
    await post(`/v1/leads/${leads.c}/assign`, { ownerId: 'rep-3' });
    await settle();
    const report = (await sla().expect(200)).body;
    expect(report.counts).toEqual({ started: 4, open: 1, met: 1, breached: 1, ended: 1 });
    expect(report.open).toEqual([expect.objectContaining({ leadId: leads.c, ownerId: 'rep-3', startedAt: iso(16), dueAt: iso(76) })]);
  });

  it('reports speed to lead in GET /v1/kpis: first assignment to first sales touch', async () => {
    const token = t.token(TENANT, await t.store.headPosition());
    const kpis = (await t.http.get('/v1/kpis').query({ minPosition: token }).set('X-Tenant-Id', TENANT).expect(200)).body;
    // A: 300 s; B: 960 s (its late touch is still its first); C: reassigned, never touched.
    expect(kpis.overall.speedToLead).toEqual({ measured: 2, medianSeconds: 630, p90Seconds: 960 });
    expect(Object.fromEntries(kpis.byChannel.map((k: { key: string; speedToLead: unknown }) => [k.key, k.speedToLead]))).toEqual({
      referral: { measured: 1, medianSeconds: 960, p90Seconds: 960 },
      web_form: { measured: 1, medianSeconds: 300, p90Seconds: 300 },
    });
  });

  it('refuses hostile queries with 400 VALIDATION_FAILED in the one error shape, changing nothing', async () => {
    const badTimes = [
      ...NON_RFC3339_TIMES.filter((time) => !time.startsWith('9999')),
      'yesterday',
      'now',
      '',
      ' ',
      '2026-13-01T00:00:00Z',
      '2026-02-30T10:00:00Z',
      '2026-02-01T24:00:01Z',
      '2026-02-01T10:00:00',
      '2026-02-01',
      '1738404000',
      '2026-02-01T10:00:00+25:00',
      "2026-02-01T10:00:00Z' OR '1'='1",
      'x'.repeat(5000),
    ];
    const badChannels = ['carrier_pigeon', '', 'WEB_FORM', 'web_form ', 'web-form', 'seo,referral', '%', "seo' OR 1=1--", 'x'.repeat(300)];
    const unknownKeys = ['tenantId', 'minPosition', 'ownerId', 'status', 'limit', 'groupBy', 'campaign', 'FROM', 'from ', 'constructor', 'prototype'];
    const cases: Array<{ query: string; field: string }> = [];
    for (const field of ['from', 'to']) for (const bad of badTimes) cases.push({ query: `${field}=${encodeURIComponent(bad)}`, field });
    for (const bad of badChannels) cases.push({ query: `channel=${encodeURIComponent(bad)}`, field: 'channel' });
    for (const key of unknownKeys) cases.push({ query: `${encodeURIComponent(key)}=1`, field: key });
    // Repeated parameters make arrays, which no field accepts.
    for (const field of ['from', 'to', 'channel']) {
      const good = field === 'channel' ? 'seo' : encodeURIComponent(iso(0));
      cases.push({ query: `${field}=${good}&${field}=${good}`, field });
    }
    // Each defect also beside valid parameters.
    for (const c of [...cases]) cases.push({ query: `${c.query}&${c.field === 'channel' ? 'from' : 'channel'}=${c.field === 'channel' ? encodeURIComponent(iso(0)) : 'seo'}`, field: c.field });
    expect(cases.length).toBeGreaterThan(100);

    const head = positionToString(await t.store.headPosition());
    const report = (await sla().expect(200)).body;
    const failures: string[] = [];
    for (const c of cases) {
      const res = await t.http.get(`/v1/sla?${c.query}`).set('X-Tenant-Id', TENANT);
      const body = res.body as { statusCode?: number; error?: string; code?: string; message?: string; problems?: Array<{ field: string; reason: string }> };
      const shapeOk =
        res.status === 400 &&
        body.statusCode === 400 &&
        body.error === 'BAD_REQUEST' &&
        body.code === 'VALIDATION_FAILED' &&
        typeof body.message === 'string' &&
        Array.isArray(body.problems) &&
        body.problems.some((p) => p.field.toLowerCase() === c.field.trim().toLowerCase() || p.field === c.field);
      if (!shapeOk) failures.push(`${c.query.slice(0, 120)}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    expect(positionToString(await t.store.headPosition())).toBe(head);
    expect((await sla().expect(200)).body).toEqual(report);
  });
});
