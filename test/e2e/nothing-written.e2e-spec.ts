import { randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { DEFAULT_LIFECYCLE_CONFIG, DomainErrorCode } from '@lead-lifecycle/domain';
import type { GlobalPosition } from '@lead-lifecycle/eventing';
import { CaptureLeadCommand, type CommandContext, RecordEngagementCommand } from '@lead-lifecycle/lifecycle';
import { removeDataDir, startTestApp, type TestApp } from '../support/test-app';

const highFit = { jobTitle: 'VP Engineering', company: { name: 'Acme', size: 5000, industry: 'software', country: 'US' } };
const allBant = { budget: { met: true }, authority: { met: true }, need: { met: true }, timeline: { met: true } };
const MAX_BYTES = 4096;
/** A pipeline whose stages alone make every OpportunityOpened larger than MAX_BYTES, while the lead's event stays small. */
const HUGE_PIPELINE = Array.from({ length: 40 }, (_, i) => `stage-${i}-${'x'.repeat(120)}`);

function nested(depth: number, leaf: unknown = 'x'): unknown {
  let value = leaf;
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

/**
 * No request that is refused leaves an event behind, identity reservations included: everything that
 * can refuse a command (the decision, the envelope, the store's own checks, those of the reaction's
 * follow-up) runs before its first append. Each case here used to fail after a write, or would have
 * with the store's limits checked only at the append.
 */
describe('a refused command writes nothing', () => {
  let t: TestApp;
  let bus: CommandBus;
  beforeAll(async () => {
    t = await startTestApp({
      // The HTTP edge's own depth limit is raised, so these requests reach the store's checks they test.
      env: { EVENT_MAX_BYTES: String(MAX_BYTES), HTTP_JSON_MAX_DEPTH: '1000' },
      module: { lifecycleConfig: { ...DEFAULT_LIFECYCLE_CONFIG, pipeline: { stages: HUGE_PIPELINE } } },
    });
    bus = t.app.get(CommandBus);
  });
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  const head = (): Promise<GlobalPosition> => t.store.headPosition();
  const capture = (extra: Record<string, unknown>) =>
    t.http.post('/v1/leads').send({ contact: { email: `${randomUUID()}@acme.test` }, source: { channel: 'seo' }, ...extra });
  const context = (): CommandContext => ({ tenantId: 'default', actor: 'test', correlationId: randomUUID(), causationId: randomUUID() });

  it('refuses a capture whose attributes are too large or too deep, before reserving its identities (HTTP)', async () => {
    const cases: Array<[string, unknown]> = [
      ['larger than EVENT_MAX_BYTES', { notes: 'n'.repeat(MAX_BYTES) }],
      ['nested past EVENT_MAX_DEPTH', nested(40)],
      ['200 levels deep', nested(200)],
      ['1000 levels deep', nested(1000)],
    ];
    for (const [what, attributes] of cases) {
      const before = await head();
      const res = await capture({ ...highFit, contact: { email: `${randomUUID()}@acme.test`, phone: '+44 20 7946 0001' }, externalId: randomUUID(), attributes });
      expect({ what, status: res.status, code: res.body.code }).toEqual({ what, status: 400, code: DomainErrorCode.InvalidCommand });
      expect(res.body.problems).toEqual([expect.objectContaining({ field: expect.stringMatching(/^attributes/) })]);
      expect({ what, head: await head() }).toEqual({ what, head: before });
    }
  });

  it('refuses, with nothing reserved, captures whose values would fail in the envelope, the hash chain, the encryption or the store (command bus)', async () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const cases: Array<[string, Record<string, unknown>]> = [
      ['a BigInt in the attributes', { attributes: { n: 10n } }],
      ['NaN in the attributes (JSON would store null)', { attributes: { n: Number.NaN } }],
      ['a cycle in the attributes', { attributes: cyclic }],
      ['attributes 20,000 levels deep', { attributes: nested(20_000) }],
      ['a __proto__ key in the attributes', { attributes: JSON.parse('{"__proto__":{"admin":true}}') }],
      ['a Date in the attributes', { attributes: { at: new Date() } }],
      ['a BigInt in the contact (encrypted)', { contact: { email: `${randomUUID()}@acme.test`, firstName: 1n } }],
      ['NaN in the contact (encrypted)', { contact: { email: `${randomUUID()}@acme.test`, lastName: Number.NaN } }],
      ['a contact 20,000 levels deep (encrypted)', { contact: { email: `${randomUUID()}@acme.test`, firstName: nested(20_000) } }],
    ];
    for (const [what, extra] of cases) {
      const before = await head();
      const input = { contact: { email: `${randomUUID()}@acme.test` }, source: { channel: 'seo' as const }, occurredAt: new Date().toISOString(), ...extra };
      const error = await bus.execute(new CaptureLeadCommand(input as never, context())).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect({ what, code: (error as { code?: string })?.code }).toEqual({ what, code: DomainErrorCode.InvalidCommand });
      expect({ what, head: await head() }).toEqual({ what, head: before });
    }
  });

  it('refuses an activity whose properties are too large, too deep or not JSON (HTTP and command bus)', async () => {
    const leadId = (await capture({}).expect(201)).body.leadId;
    for (const properties of [{ blob: 'b'.repeat(MAX_BYTES) }, nested(60)]) {
      const before = await head();
      const res = await t.http.post(`/v1/leads/${leadId}/activities`).send({ type: 'page_view', properties });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: DomainErrorCode.InvalidCommand, problems: [expect.objectContaining({ field: expect.stringMatching(/^properties/) })] });
      expect(await head()).toEqual(before);
    }
    const before = await head();
    const error = await bus
      .execute(new RecordEngagementCommand(leadId, { activityType: 'page_view', properties: { n: Number.POSITIVE_INFINITY }, occurredAt: new Date().toISOString() }, context()))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: DomainErrorCode.InvalidCommand });
    expect(await head()).toEqual(before);
  });

  it("refuses to open an opportunity whose reaction could not be written, before the lead's event", async () => {
    const leadId = (await capture(highFit).expect(201)).body.leadId;
    await t.http.post(`/v1/leads/${leadId}/sql`).send({ bant: allBant, qualifiedBy: 'sdr-1' }).expect(200);
    const before = await head();
    const res = await t.http.post(`/v1/leads/${leadId}/opportunities`).send({ name: 'Rollout', amount: 1000, currency: 'EUR' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: DomainErrorCode.InvalidCommand, problems: [expect.objectContaining({ field: 'pipeline' })] });
    expect(await head()).toEqual(before);
    expect((await t.http.get(`/v1/leads/${leadId}`).expect(200)).body).toMatchObject({ stage: 'sql', opportunityIds: [] });
  });
});
