import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DEFAULT_LIFECYCLE_CONFIG, DomainError, DomainErrorCode } from '@lead-lifecycle/domain';
import { CrmService } from '../src/crm.service';
import { HostAuthError, type HostUser, principalOf } from '../src/host-authenticator';
import { hostLifecycleRules, PARTNER_WEBINAR, PARTNER_WEBINAR_POINTS } from '../src/host-lifecycle.rules';
import { HostModule } from '../src/host.module';

const NOW = '2026-03-02T10:00:00.000Z';
const clock = { now: () => new Date(NOW) };
const USERS = new Map<string, HostUser>([
  ['t-alice', { id: 'alice', name: 'Alice', workspace: 'acme', roles: ['sales', 'viewer'] }],
  ['t-vera', { id: 'vera', name: 'Vera', workspace: 'acme', roles: ['viewer'] }],
  ['t-bob', { id: 'bob', name: 'Bob', workspace: 'globex', roles: ['sales', 'viewer'] }],
  // A workspace name that is no tenant id: the engine refuses the principal.
  ['t-mal', { id: 'mal', name: 'Mal', workspace: 'acme corp', roles: ['sales', 'viewer'] }],
]);

const platformEngineer = {
  contact: { email: 'dana@example.org', firstName: 'Dana' },
  jobTitle: 'Staff Platform Engineer',
  source: { channel: 'partner' as const, campaign: 'kubecon' },
  occurredAt: NOW,
};

void describe('the host rules', () => {
  void it('add the custom activity type and job title rule to the defaults', () => {
    const rules = hostLifecycleRules();
    assert.equal(rules.scoring.engagement.activities[PARTNER_WEBINAR], PARTNER_WEBINAR_POINTS);
    assert.equal(rules.scoring.fit.jobTitle[0].label, 'platform engineer');
    assert.equal(rules.scoring.fit.jobTitle.length, DEFAULT_LIFECYCLE_CONFIG.scoring.fit.jobTitle.length + 1);
  });

  void it('are validated by the engine’s schema', () => {
    const broken = { ...DEFAULT_LIFECYCLE_CONFIG, scoring: { ...DEFAULT_LIFECYCLE_CONFIG.scoring, mqlThreshold: Number.NaN } };
    assert.throws(() => hostLifecycleRules(broken), /scoring\.mqlThreshold/);
  });
});

void describe('the engine embedded in the host', () => {
  let dataDir: string;
  let app: INestApplicationContext;
  let crm: CrmService;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lead-lifecycle-host-test-'));
    app = await NestFactory.createApplicationContext(HostModule.forRoot({ dataDir, users: USERS, clock }), { logger: ['error', 'warn'] });
    crm = app.get(CrmService);
  });

  after(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void it('captures a lead scored by the custom rule, qualifies it on the custom activity, and shows it in history and funnel', async () => {
    const { leadId, deduplicated } = await crm.captureLead('t-alice', platformEngineer);
    assert.equal(deduplicated, false);
    const captured = await crm.lead('t-alice', leadId);
    assert.deepEqual(captured.fitReasons, ['job title platform engineer (+25)']);
    assert.equal(captured.stage, 'lead');

    const activity = await crm.recordActivity('t-alice', leadId, PARTNER_WEBINAR, NOW, { partner: 'cloudco' });
    const lead = await crm.lead('t-vera', leadId);
    assert.deepEqual(lead.score, { total: 25 + PARTNER_WEBINAR_POINTS, fit: 25, engagement: PARTNER_WEBINAR_POINTS });
    assert.equal(lead.stage, 'mql', 'over the threshold of 50 only with the custom points');

    const history = await crm.history('t-vera', leadId);
    assert.deepEqual(
      history.events.map((e) => e.type),
      ['LeadCaptured', 'ScoreChanged', 'EngagementRecorded', 'ScoreChanged', 'QualifiedAsMQL'],
    );
    for (const event of history.events) {
      assert.equal(event.metadata.actor, 'host-user:alice');
      assert.equal(event.metadata.actorName, 'Alice');
      assert.equal(event.metadata.tenantId, 'acme');
    }

    const funnel = await crm.funnel('t-vera', activity.position);
    assert.equal(funnel.groups[0].reached.anyPath.lead, 1);
    assert.equal(funnel.groups[0].reached.anyPath.mql, 1);
  });

  void it('refuses an activity type the rules do not know, with the engine’s error, and writes nothing', async () => {
    const { leadId } = await crm.captureLead('t-alice', { ...platformEngineer, contact: { email: 'eli@example.org' } });
    const before = await crm.history('t-alice', leadId);
    await assert.rejects(crm.recordActivity('t-alice', leadId, 'podcast_listened', NOW), (error: unknown) => {
      assert.ok(error instanceof DomainError, 'one domain package: the host’s DomainError is the engine’s');
      assert.equal(error.code, DomainErrorCode.InvalidCommand);
      assert.match(error.message, /unknown activity type/);
      return true;
    });
    assert.equal((await crm.history('t-alice', leadId)).events.length, before.events.length);
  });

  void it('takes the tenant from the host’s credential: another workspace neither reads the lead nor counts it', async () => {
    const { leadId } = await crm.captureLead('t-alice', { ...platformEngineer, contact: { email: 'fay@example.org' } });
    await assert.rejects(crm.lead('t-bob', leadId), (error: unknown) => error instanceof DomainError && error.code === DomainErrorCode.LeadNotFound);
    const funnel = await crm.funnel('t-bob');
    assert.equal(funnel.groups[0].reached.anyPath.lead, 0);
  });

  void it('hands the engine the host’s principal, which the engine’s commandContextOf checks: a workspace that is no tenant id writes nothing', async () => {
    assert.deepEqual(principalOf(USERS.get('t-alice')!), { tenantId: 'acme', actor: 'host-user:alice', actorName: 'Alice', roles: ['sales', 'viewer'] });
    await assert.rejects(crm.captureLead('t-mal', { ...platformEngineer, contact: { email: 'hal@example.org' } }), (error: unknown) => {
      assert.ok(error instanceof DomainError);
      assert.equal(error.code, DomainErrorCode.InvalidCommand);
      assert.deepEqual(error.details.problems, [{ field: 'principal.tenantId', reason: 'must match TENANT_ID_PATTERN' }]);
      return true;
    });
  });

  void it('refuses unknown tokens and users without the role before the engine is called', async () => {
    await assert.rejects(crm.captureLead(undefined, platformEngineer), (error: unknown) => error instanceof HostAuthError && error.reason === 'unauthenticated');
    await assert.rejects(crm.captureLead('t-nobody', platformEngineer), (error: unknown) => error instanceof HostAuthError && error.reason === 'unauthenticated');
    const funnelBefore = await crm.funnel('t-vera');
    await assert.rejects(
      crm.captureLead('t-vera', { ...platformEngineer, contact: { email: 'gus@example.org' } }),
      (error: unknown) => error instanceof HostAuthError && error.reason === 'forbidden',
    );
    assert.deepEqual((await crm.funnel('t-vera')).groups, funnelBefore.groups);
  });
});
