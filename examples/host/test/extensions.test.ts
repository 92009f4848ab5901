import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DomainErrorCode, ExtensionError } from '@lead-lifecycle/domain';
import { leadDecisionExtensionsOf, type LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';
import { CrmService } from '../src/crm.service';
import { type HostUser } from '../src/host-authenticator';
import { PARTNER_WEBINAR, PARTNER_WEBINAR_POINTS } from '../src/host-lifecycle.rules';
import { CLOUD_NATIVE_POINTS, CLOUD_NATIVE_REASON, hostFitScorer } from '../src/host-scoring';
import { HostModule } from '../src/host.module';

const NOW = '2026-03-02T10:00:00.000Z';
const clock = { now: () => new Date(NOW) };
const USERS = new Map<string, HostUser>([['t-alice', { id: 'alice', name: 'Alice', workspace: 'acme', roles: ['sales', 'viewer'] }]]);
const cloudNative = {
  contact: { email: 'hana@example.org' },
  company: { name: 'Kube Co', industry: 'cloud-native tooling' },
  source: { channel: 'partner' as const },
  occurredAt: NOW,
};

void describe('the host’s scoring function (forRoot scoring.fit)', () => {
  void it('scores the host’s segment and nothing else', () => {
    assert.deepEqual(hostFitScorer({ company: { industry: 'Cloud Native' } }), { points: CLOUD_NATIVE_POINTS, reasons: [CLOUD_NATIVE_REASON] });
    assert.deepEqual(hostFitScorer({ company: { industry: 'retail' } }), { points: 0, reasons: [] });
  });

  void it('is refused at start when it is not a function, with the engine’s typed error', () => {
    // Options as a host might assemble them from untyped settings.
    const fit: unknown = 'cloud';
    const options = { scoring: { fit } } as LeadLifecycleModuleOptions;
    assert.throws(
      () => leadDecisionExtensionsOf(options),
      (error: unknown) => error instanceof ExtensionError && error.code === DomainErrorCode.InvalidConfiguration,
    );
  });
});

void describe('the extension points embedded in the host', () => {
  let dataDir: string;
  let app: INestApplicationContext;
  let crm: CrmService;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lead-lifecycle-host-ext-'));
    app = await NestFactory.createApplicationContext(HostModule.forRoot({ dataDir, users: USERS, clock }), { logger: ['error', 'warn'] });
    crm = app.get(CrmService);
  });

  after(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void it('records the scoring function’s points and reason at capture, and the custom activity type’s points', async () => {
    const { leadId } = await crm.captureLead('t-alice', cloudNative);
    const captured = await crm.lead('t-alice', leadId);
    assert.deepEqual(captured.fitReasons, [CLOUD_NATIVE_REASON]);
    assert.equal(captured.score.fit, CLOUD_NATIVE_POINTS);

    await crm.recordActivity('t-alice', leadId, PARTNER_WEBINAR, NOW);
    const lead = await crm.lead('t-alice', leadId);
    assert.deepEqual(lead.score, { total: CLOUD_NATIVE_POINTS + PARTNER_WEBINAR_POINTS, fit: CLOUD_NATIVE_POINTS, engagement: PARTNER_WEBINAR_POINTS });
    assert.equal(lead.stage, 'mql');

    const history = await crm.history('t-alice', leadId);
    const firstScore = history.events.find((e) => e.type === 'ScoreChanged');
    assert.ok(firstScore, 'the capture recorded a ScoreChanged');
    assert.deepEqual((firstScore.data as { reasons: string[] }).reasons, [CLOUD_NATIVE_REASON], 'the reason is in the event, so replay never calls the host');
  });
});
