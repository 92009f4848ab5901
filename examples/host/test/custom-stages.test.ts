import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { DomainErrorCode, LifecycleError } from '@lead-lifecycle/domain';
import { commandContextOf, OpenOpportunityCommand, PromoteToSqlCommand, WinOpportunityCommand } from '@lead-lifecycle/lifecycle';
import { CrmService } from '../src/crm.service';
import { type HostUser, principalOf } from '../src/host-authenticator';
import { HostModule } from '../src/host.module';

const NOW = '2026-03-02T10:00:00.000Z';
const clock = { now: () => new Date(NOW) };
const ALICE: HostUser = { id: 'alice', name: 'Alice', workspace: 'acme', roles: ['sales', 'viewer'] };
const USERS = new Map<string, HostUser>([['t-alice', ALICE]]);
const BANT = { budget: { met: true }, authority: { met: true }, need: { met: true }, timeline: { met: true } };

void describe('the host’s own stages (lifecycleConfig.stages: subscriber before lead, evangelist after customer)', () => {
  let dataDir: string;
  let app: INestApplicationContext;
  let crm: CrmService;
  let commands: CommandBus;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lead-lifecycle-host-stages-'));
    app = await NestFactory.createApplicationContext(HostModule.forRoot({ dataDir, users: USERS, clock }), { logger: ['error', 'warn'] });
    crm = app.get(CrmService);
    commands = app.get(CommandBus);
  });

  after(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const refusal = (code: DomainErrorCode, currentStage: string) => (error: unknown) =>
    error instanceof LifecycleError && error.code === code && error.currentStage === currentStage;

  void it('captures a subscriber, advances it into lead, converts it to customer and advances it to evangelist, forward only', async () => {
    const { leadId } = await crm.captureLead('t-alice', { contact: { email: 'sam@example.org' }, source: { channel: 'partner' }, stage: 'subscriber', occurredAt: NOW });
    assert.equal((await crm.lead('t-alice', leadId)).stage, 'subscriber');

    // A subscriber is not a lead yet: it cannot be promoted past the stages it has not reached.
    await assert.rejects(crm.advanceStage('t-alice', leadId, 'mql', NOW), refusal(DomainErrorCode.LifecycleViolation, 'subscriber'));

    const entered = await crm.advanceStage('t-alice', leadId, 'lead', NOW);
    assert.deepEqual(entered.eventTypes, ['LeadStageAdvanced']);
    assert.equal((await crm.lead('t-alice', leadId)).stage, 'lead');

    await crm.recordActivity('t-alice', leadId, 'demo_request', NOW);
    await crm.recordActivity('t-alice', leadId, 'meeting_booked', NOW);
    assert.equal((await crm.lead('t-alice', leadId)).stage, 'mql');
    const context = (command: string) => commandContextOf(principalOf(ALICE), command);
    await commands.execute(new PromoteToSqlCommand(leadId, { bant: BANT, qualifiedBy: 'alice', occurredAt: NOW }, context('PromoteToSQL')));
    await commands.execute(new OpenOpportunityCommand(leadId, { opportunityId: 'opp-stages', amount: 5000, currency: 'EUR', occurredAt: NOW }, context('OpenOpportunity')));
    await commands.execute(new WinOpportunityCommand('opp-stages', { occurredAt: NOW }, context('WinOpportunity')));
    assert.equal((await crm.lead('t-alice', leadId)).stage, 'customer');

    const evangelist = await crm.advanceStage('t-alice', leadId, 'evangelist', NOW);
    assert.deepEqual(evangelist.eventTypes, ['LeadStageAdvanced']);
    const lead = await crm.lead('t-alice', leadId);
    assert.equal(lead.stage, 'evangelist');
    assert.equal(lead.wonOpportunityId, 'opp-stages', 'an evangelist is still a won customer');

    // Backward moves are refused, with the engine's lifecycle error, and append nothing.
    for (const to of ['customer', 'lead', 'subscriber']) {
      await assert.rejects(crm.advanceStage('t-alice', leadId, to, NOW), refusal(DomainErrorCode.LifecycleViolation, 'evangelist'));
    }
    const history = await crm.history('t-alice', leadId);
    assert.deepEqual(
      history.events.filter((e) => e.type === 'LeadStageAdvanced').map((e) => e.data),
      [
        { leadId, from: 'subscriber', to: 'lead', occurredAt: NOW },
        { leadId, from: 'customer', to: 'evangelist', occurredAt: NOW },
      ],
    );

    const funnel = await crm.funnel('t-alice', evangelist.position);
    assert.equal(funnel.groups[0].reached.anyPath.subscriber, 1);
    assert.equal(funnel.groups[0].reached.anyPath.evangelist, 1);
    assert.equal(funnel.groups[0].current.evangelist, 1);
  });

  void it('refuses a capture into a stage that is not before lead, on the field', async () => {
    await assert.rejects(
      crm.captureLead('t-alice', { contact: { email: 'eve@example.org' }, source: { channel: 'partner' }, stage: 'evangelist', occurredAt: NOW }),
      (error: unknown) => error instanceof Error && (error as { code?: string }).code === DomainErrorCode.InvalidCommand,
    );
  });
});
