import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { DEFAULT_LIFECYCLE_CONFIG, DomainErrorCode } from '@lead-lifecycle/domain';
import type { GlobalPosition } from '@lead-lifecycle/eventing';
import { removeDataDir, startTestApp, type TestApp } from '../support/test-app';

const stages = { beforeLead: ['subscriber', 'trial'], afterCustomer: ['advocate'] };

/** POST /v1/leads/:id/stage, with the host's stages of lifecycleConfig.stages, end to end over HTTP. */
describe('the host’s own stages over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ module: { lifecycleConfig: { ...DEFAULT_LIFECYCLE_CONFIG, stages } } });
  });
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  const head = (): Promise<GlobalPosition> => t.store.headPosition();
  const capture = (extra: Record<string, unknown> = {}) =>
    t.http.post('/v1/leads').send({ contact: { email: `${randomUUID()}@acme.test` }, source: { channel: 'seo' }, ...extra });
  const advance = (id: string, body: unknown) => t.http.post(`/v1/leads/${id}/stage`).send(body as object);

  it('captures into a stage before lead, advances one stage at a time, and counts the stages in the funnel', async () => {
    const campaign = `stages-${randomUUID()}`;
    const created = await capture({ stage: 'subscriber', source: { channel: 'seo', campaign } });
    expect(created.status).toBe(201);
    const id = created.body.leadId as string;
    expect((await t.http.get(`/v1/leads/${id}`)).body).toMatchObject({ stage: 'subscriber' });

    const toTrial = await advance(id, { stage: 'trial' });
    expect(toTrial.status).toBe(200);
    expect(toTrial.body.events).toEqual(['LeadStageAdvanced']);
    expect((await advance(id, { stage: 'trial' })).body.events).toEqual([]);

    const funnel = await t.http.get('/v1/funnel').query({ campaign, minPosition: toTrial.body.position });
    expect(funnel.status).toBe(200);
    expect(funnel.body.groups[0].reached.anyPath).toMatchObject({ subscriber: 1, trial: 1, lead: 0, advocate: 0 });
    expect(funnel.body.groups[0].current).toMatchObject({ subscriber: 0, trial: 1, lead: 0 });
    expect(funnel.body.groups[0].conversion.anyPath).toMatchObject({ subscriber_to_trial: 1, trial_to_lead: 0 });

    const toLead = await advance(id, { stage: 'lead' });
    expect(toLead.status).toBe(200);
    expect((await t.http.get(`/v1/leads/${id}`)).body).toMatchObject({ stage: 'lead' });
  });

  it('refuses a move that is not the one forward with 409 in the documented shape, writing nothing', async () => {
    const id = (await capture({ stage: 'trial' })).body.leadId as string;
    for (const to of ['subscriber', 'mql', 'customer', 'advocate', 'nurturing', 'teleported']) {
      const before = await head();
      const res = await advance(id, { stage: to });
      expect({ to, status: res.status, body: res.body }).toEqual({
        to,
        status: 409,
        body: expect.objectContaining({ code: DomainErrorCode.LifecycleViolation, currentStage: 'trial', attemptedMove: `advance stage to ${to}` }),
      });
      expect(await head()).toEqual(before);
    }
  });

  it('refuses bad bodies and bad capture stages with 400 on the field, writing nothing', async () => {
    const id = (await capture({ stage: 'subscriber' })).body.leadId as string;
    const hostile = fc.oneof(
      fc.record({ stage: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant(''), fc.array(fc.string()), fc.object(), fc.string({ minLength: 41, maxLength: 60 })) }),
      fc.constant({}),
    );
    await fc.assert(
      fc.asyncProperty(hostile, async (body) => {
        const before = await head();
        const res = await advance(id, body);
        expect(res.status).toBe(400);
        // Refused at the edge, by the DTO, before any command runs.
        expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', problems: [expect.objectContaining({ field: 'stage' })] });
        expect(await head()).toEqual(before);
      }),
      { numRuns: 25 },
    );
    for (const stage of ['advocate', 'customer', 'Subscriber', 'before_lead', 5]) {
      const before = await head();
      const res = await capture({ stage });
      expect({ stage, status: res.status, fields: (res.body.problems ?? []).map((p: { field: string }) => p.field) }).toEqual({ stage, status: 400, fields: ['stage'] });
      expect(await head()).toEqual(before);
    }
  });
});
