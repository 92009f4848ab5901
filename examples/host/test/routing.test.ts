import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ROUTING_REACTION_NAME, TeamCommands } from '@lead-lifecycle/automation';
import { type HostRoutingStrategy, type RoutingCandidate, type RoutingFacts } from '@lead-lifecycle/domain';
import { type CaptureLeadInput, commandContextOf } from '@lead-lifecycle/lifecycle';
import { CrmService } from '../src/crm.service';
import { type HostUser, principalOf } from '../src/host-authenticator';
import { ENTERPRISE_COMPANY_SIZE, HOST_ROUTING, HOST_ROUTING_RULES, hostRoutingStrategy, SALES_TEAM } from '../src/host-routing';
import { HostModule } from '../src/host.module';

const NOW = '2026-03-02T10:00:00.000Z';
const clock = { now: () => new Date(NOW) };
const ALICE: HostUser = { id: 'alice', name: 'Alice', workspace: 'acme', roles: ['sales', 'viewer'] };
const USERS = new Map<string, HostUser>([['t-alice', ALICE]]);
/** Joining order: round robin alone would give the first lead to sdr-1. */
const MEMBERS = ['sdr-1', 'ae-1', 'ae-2'];

/** The routing facts of a decision, as the reaction would pass them. */
function facts(size: number | undefined): RoutingFacts {
  return {
    tenantId: 'acme',
    leadId: 'l1',
    lead: { stage: 'lead', source: { channel: 'web_form' }, company: size === undefined ? undefined : { size }, temperature: 'cold', score: { total: 0, fit: 0, engagement: 0 } },
    reason: 'rule',
    teamId: SALES_TEAM,
    ruleId: 'all-to-sales',
    strategy: 'round_robin',
    at: NOW,
  };
}

const candidate = (ownerId: string, ordinal: number, openLeads: number): RoutingCandidate => ({ ownerId, ordinal, weight: 1, openLeads });

/** A lead from a company of `size` employees. */
function capture(email: string, size: number): CaptureLeadInput {
  return { contact: { email }, company: { name: `${email} Inc`, size }, source: { channel: 'web_form' }, occurredAt: NOW };
}

/** Waits, a bounded number of polls, until the routing reaction assigned the lead; answers its owner. */
async function ownerOnceRouted(crm: CrmService, leadId: string): Promise<string> {
  for (let poll = 0; poll < 400; poll++) {
    const { ownerId } = await crm.lead('t-alice', leadId);
    if (ownerId !== null) return ownerId;
    await delay(25);
  }
  throw new Error(`lead ${leadId} was not routed after 400 polls`);
}

void describe('the host’s routing strategy', () => {
  void it('gives an enterprise lead to the account executive with the fewest open leads, the first to join on a tie', () => {
    const eligible = [candidate('sdr-1', 0, 0), candidate('ae-1', 1, 3), candidate('ae-2', 2, 1), candidate('ae-3', 3, 1)];
    assert.equal(hostRoutingStrategy(facts(ENTERPRISE_COMPANY_SIZE), eligible), 'ae-2');
    assert.equal(hostRoutingStrategy(facts(50_000), [candidate('ae-1', 1, 2), candidate('ae-2', 2, 2)]), 'ae-1');
  });

  void it('leaves the pick to the configured strategy for a smaller or unknown company, or with no account executive eligible', () => {
    const eligible = [candidate('sdr-1', 0, 0), candidate('ae-1', 1, 0)];
    assert.equal(hostRoutingStrategy(facts(ENTERPRISE_COMPANY_SIZE - 1), eligible), undefined);
    assert.equal(hostRoutingStrategy(facts(undefined), eligible), undefined);
    assert.equal(hostRoutingStrategy(facts(5_000), [candidate('sdr-1', 0, 0), candidate('sae-1', 1, 0)]), undefined);
  });
});

void describe('routing embedded in the host (AutomationModule with the host’s strategy)', () => {
  let dataDir: string;
  let app: INestApplicationContext | undefined;
  /** Every decision the strategy was asked about, by any app of this data folder. */
  const asked: string[] = [];
  const counted: HostRoutingStrategy = (decision, eligible) => {
    asked.push(decision.leadId);
    return hostRoutingStrategy(decision, eligible);
  };
  const start = () =>
    NestFactory.createApplicationContext(HostModule.forRoot({ dataDir, users: USERS, clock, routing: { ...HOST_ROUTING, strategy: counted } }), { logger: ['error', 'warn'] });
  const leads: Record<string, string> = {};

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lead-lifecycle-host-routing-'));
    app = await start();
    // The host's admin sets the team up through the engine's team commands, as the host's user.
    const teams = app.get(TeamCommands);
    const context = (command: string) => commandContextOf(principalOf(ALICE), command);
    await teams.run(SALES_TEAM, { type: 'CreateTeam', teamId: SALES_TEAM, tenantId: ALICE.workspace, name: 'Sales', occurredAt: NOW }, context('CreateTeam'));
    for (const ownerId of MEMBERS) await teams.run(SALES_TEAM, { type: 'AddTeamMember', teamId: SALES_TEAM, ownerId, occurredAt: NOW }, context('AddTeamMember'));
  });

  after(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void it('assigns a lead matching the rule to the member the host’s strategy chose, and records it in the lead’s history', async () => {
    const crm = app!.get(CrmService);
    leads.big = (await crm.captureLead('t-alice', capture('big@example.org', 5_000))).leadId;
    assert.equal(await ownerOnceRouted(crm, leads.big), 'ae-1', 'the strategy’s pick (round robin would give sdr-1)');
    leads.bigger = (await crm.captureLead('t-alice', capture('bigger@example.org', 20_000))).leadId;
    assert.equal(await ownerOnceRouted(crm, leads.bigger), 'ae-2', 'ae-1 has an open lead, ae-2 none');
    leads.small = (await crm.captureLead('t-alice', capture('small@example.org', 40))).leadId;
    // The strategy answered undefined: round robin, which goes on after the last member assigned (ae-2).
    assert.equal(await ownerOnceRouted(crm, leads.small), 'sdr-1');
    assert.deepEqual(asked, [leads.big, leads.bigger, leads.small], 'asked once for each lead');

    const history = await crm.history('t-alice', leads.big);
    const assigned = history.events.filter((e) => e.type === 'LeadAssigned');
    assert.equal(assigned.length, 1);
    // The event keeps the team's configured strategy; the owner is the host's choice.
    assert.deepEqual(assigned[0].data, {
      leadId: leads.big,
      ownerId: 'ae-1',
      reason: 'rule',
      ruleId: HOST_ROUTING_RULES.rules[0].id,
      teamId: SALES_TEAM,
      strategy: 'round_robin',
      occurredAt: NOW,
    });
    assert.equal(assigned[0].metadata.actor, ROUTING_REACTION_NAME);
    assert.equal(assigned[0].metadata.tenantId, 'acme');
  });

  void it('never asks again for a routed lead: not after a restart on the same data, not when the reaction rereads the whole log', async () => {
    const owners = { [leads.big]: 'ae-1', [leads.bigger]: 'ae-2', [leads.small]: 'sdr-1' };
    const routedBefore = asked.length;

    await app!.close();
    app = await start();
    let crm = app.get(CrmService);
    // Routing follows the log's order: once the new lead is routed, everything before it has been handled.
    const third = (await crm.captureLead('t-alice', capture('third@example.org', 3_000))).leadId;
    assert.equal(await ownerOnceRouted(crm, third), 'ae-1', 'ae-1 and ae-2 have one open lead each');
    assert.deepEqual(asked.slice(routedBefore), [third], 'the restarted app asked about the new lead only');
    owners[third] = 'ae-1';

    // The reaction's own state and checkpoint (DATA_DIR/routing.sqlite) gone: it replays the whole log.
    await app.close();
    app = undefined;
    const state = readdirSync(dataDir).filter((name) => name.startsWith('routing.sqlite'));
    assert.ok(state.includes('routing.sqlite'), `the routing state is where the README says (${readdirSync(dataDir).join(', ')})`);
    for (const file of state) rmSync(join(dataDir, file));
    app = await start();
    crm = app.get(CrmService);
    const fourth = (await crm.captureLead('t-alice', capture('fourth@example.org', 3_000))).leadId;
    assert.equal(await ownerOnceRouted(crm, fourth), 'ae-2', 'the replayed load: ae-1 has two open leads, ae-2 one');
    assert.deepEqual(asked.slice(routedBefore), [third, fourth], 'the replay asked about no recorded decision');

    for (const [leadId, ownerId] of Object.entries(owners)) {
      assert.equal((await crm.lead('t-alice', leadId)).ownerId, ownerId);
      const history = await crm.history('t-alice', leadId);
      assert.equal(history.events.filter((e) => e.type === 'LeadAssigned').length, 1, `one assignment of ${leadId}`);
    }
  });
});
