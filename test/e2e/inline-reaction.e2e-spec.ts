import { randomUUID } from 'node:crypto';
import { positionToString, StoreUnavailableError, WrongExpectedRevisionError } from '@lead-lifecycle/eventing';
import { type FlakyEventStore, startTestAppWithFlakyStore } from '../support/flaky-event-store';
import { eventually, removeDataDir, type TestApp } from '../support/test-app';
import { OPPORTUNITY_STREAM_PREFIX, opportunityStreamId, leadStreamId, LEAD_STREAM_PREFIX } from '@lead-lifecycle/domain';

const highFit = { jobTitle: 'VP Engineering', company: { name: 'Acme', size: 5000, industry: 'software', country: 'US' } };
const allBant = { budget: { met: true }, authority: { met: true }, need: { met: true }, timeline: { met: true } };
const unavailable = () => new StoreUnavailableError('injected: the store is unavailable');

/**
 * The opportunity reaction runs inline after a command's own append. Its failure must not turn the
 * answer into an error (the command's events are stored); the durable reaction completes the work.
 * And the answer's position covers what the inline reaction wrote.
 */
describe('inline opportunity reaction (HTTP)', () => {
  let t: TestApp & { flaky: FlakyEventStore };
  beforeAll(async () => {
    t = await startTestAppWithFlakyStore();
  });
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });
  afterEach(() => t.flaky.heal());

  async function sqlLead(tenant = 'default'): Promise<string> {
    const created = await t.http
      .post('/v1/leads')
      .set('X-Tenant-Id', tenant)
      .send({ contact: { email: `${randomUUID()}@acme.test` }, ...highFit, source: { channel: 'web_form' } })
      .expect(201);
    await t.http.post(`/v1/leads/${created.body.leadId}/sql`).set('X-Tenant-Id', tenant).send({ bant: allBant, qualifiedBy: 'sdr-1' }).expect(200);
    return created.body.leadId;
  }

  const open = (leadId: string, tenant = 'default') =>
    t.http.post(`/v1/leads/${leadId}/opportunities`).set('X-Tenant-Id', tenant).send({ name: 'Rollout', amount: 1000, currency: 'EUR' });

  const types = async (streamId: string) => (await t.store.readStream(streamId)).map((e) => e.type);

  jest.setTimeout(30_000);

  it('answers 201 when the reaction cannot write the opportunity at all, and the durable reaction writes it once the store heals', async () => {
    const leadId = await sqlLead();
    t.flaky.failAppendsUntilHealed(OPPORTUNITY_STREAM_PREFIX, unavailable);
    const opened = await open(leadId).expect(201);
    const opportunityId: string = opened.body.opportunityId;
    expect(opened.body.events).toEqual(['OpportunityOpenedForLead']);
    expect(t.flaky.failed).toContain(opportunityStreamId(opportunityId));
    expect(await types(opportunityStreamId(opportunityId))).toEqual([]);
    // The position can only cover what was written: the lead's event.
    const [last] = await t.store.readStream(leadStreamId(leadId), { direction: 'backwards', maxCount: 1 });
    expect(last.type).toBe('OpportunityOpenedForLead');
    expect(t.positionOf('default', opened.body.position)).toBe(positionToString(last.position));

    t.flaky.heal();
    await eventually(async () => (await types(opportunityStreamId(opportunityId))).length > 0, 20_000, 'the durable reaction');
    expect(await types(opportunityStreamId(opportunityId))).toEqual(['OpportunityOpened']);
    const opportunity = await t.http.get(`/v1/opportunities/${opportunityId}`).expect(200);
    expect(opportunity.body).toMatchObject({ leadId, status: 'open' });
  });

  it('answers 201 when the reaction\'s append fails once; the opportunity is written exactly once', async () => {
    const leadId = await sqlLead();
    t.flaky.failAppends(OPPORTUNITY_STREAM_PREFIX, unavailable, 1);
    const opened = await open(leadId).expect(201);
    const opportunityId: string = opened.body.opportunityId;
    expect(t.flaky.failed).toContain(opportunityStreamId(opportunityId));
    await eventually(async () => (await types(opportunityStreamId(opportunityId))).length > 0, 20_000, 'the opportunity stream');
    expect(await types(opportunityStreamId(opportunityId))).toEqual(['OpportunityOpened']);
  });

  it('answers 201 when the reaction keeps conflicting past its retries', async () => {
    const leadId = await sqlLead();
    const conflict = () => new WrongExpectedRevisionError('opportunity-x', 'no_stream', '0');
    t.flaky.failAppends(OPPORTUNITY_STREAM_PREFIX, conflict, 12);
    const opened = await open(leadId).expect(201);
    const opportunityId: string = opened.body.opportunityId;
    t.flaky.heal();
    await eventually(async () => (await types(opportunityStreamId(opportunityId))).length > 0, 20_000, 'the opportunity stream');
    expect(await types(opportunityStreamId(opportunityId))).toEqual(['OpportunityOpened']);
  });

  it('answers 200 to a win whose conversion of the lead fails inline; the durable reaction converts the lead', async () => {
    const leadId = await sqlLead();
    const opportunityId: string = (await open(leadId).expect(201)).body.opportunityId;
    t.flaky.failAppendsUntilHealed(LEAD_STREAM_PREFIX, unavailable);
    const won = await t.http.post(`/v1/opportunities/${opportunityId}/win`).send({}).expect(200);
    expect(won.body.events).toEqual(['OpportunityWon']);
    expect((await t.http.get(`/v1/leads/${leadId}`).expect(200)).body.stage).toBe('opportunity');
    t.flaky.heal();
    await eventually(async () => (await t.http.get(`/v1/leads/${leadId}`)).body.stage === 'customer', 20_000, 'the conversion');
    expect((await types(leadStreamId(leadId))).filter((type) => type === 'ConvertedToCustomer')).toHaveLength(1);
  });

  it('answers a position that covers the opportunity the reaction opened: a minPosition read sees it, 40 times in a row', async () => {
    const tenant = `rw-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 40; i++) {
      const leadId = await sqlLead(tenant);
      const opened = await open(leadId, tenant).expect(201);
      const [reacted] = await t.store.readStream(opportunityStreamId(opened.body.opportunityId));
      expect(t.positionOf(tenant, opened.body.position)).toBe(positionToString(reacted.position));
      const kpis = await t.http.get('/v1/kpis').query({ minPosition: opened.body.position }).set('X-Tenant-Id', tenant).expect(200);
      expect({ i, open: kpis.body.overall.opportunities.open }).toEqual({ i, open: i + 1 });
    }
  }, 60_000);
});
