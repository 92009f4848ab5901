import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CaptureLead,
  type CompanyProfile,
  decideLead,
  DEFAULT_LIFECYCLE_CONFIG,
  decodeLeadEvent,
  evolveLead,
  type HostRoutingStrategy,
  initialLeadState,
  type LeadEvent,
  type LeadState,
  leadStreamId,
  type LifecycleConfig,
  type LeadCommand,
  type RoutingRule,
  type TeamCommand,
} from '@lead-lifecycle/domain';
import { ProcessorRunner, SqliteEventStore, type StoredEvent } from '@lead-lifecycle/eventing';
import { AggregateRepository, type CommandContext } from '@lead-lifecycle/lifecycle';
import { ROUTING_PART } from '../../../libs/automation/src/routing/routing.part';
import { RoutingStateStore } from '../../../libs/automation/src/routing/routing-state.store';
import { TeamCommands } from '../../../libs/automation/src/routing/team-commands.service';
import type { AutomationContext, AutomationRuntime } from '@lead-lifecycle/automation';
import { ManualClock } from '../domain/manual-clock';

export const TENANT = 'acme';

/** A lifecycle configuration with these routing rules (and SLA settings). */
export function routingConfig(rules: RoutingRule[], on: 'capture' | 'mql' | 'sql' = 'capture', maxReassignments = 2): LifecycleConfig {
  return { ...DEFAULT_LIFECYCLE_CONFIG, routing: { on, rules }, sla: { ...DEFAULT_LIFECYCLE_CONFIG.sla, maxReassignments } };
}

/** One instance of the routing runtime: its own state file in `dataDir`, over the shared store. */
export class RoutingInstance {
  readonly runtime: AutomationRuntime;
  readonly runner: ProcessorRunner;

  constructor(
    readonly context: AutomationContext,
  ) {
    this.runtime = ROUTING_PART.runtime(context);
    const [{ processor, options }] = this.runtime.processors;
    this.runner = new ProcessorRunner(context.store, options!.checkpoints!, processor, { ...options, poisonPolicy: 'stop', log: () => undefined });
  }

  /** Handles everything in the log now. */
  catchUp(): Promise<void> {
    return this.runner.catchUp();
  }

  /** Records the end of away periods due at the clock's now. */
  sweep(): Promise<number> {
    return this.runtime.sweepers[0].sweep(this.context.clock.now());
  }

  /** The queue as this instance's state has it, oldest first: `lead reason owner`. */
  queue(): string[] {
    const state = RoutingStateStore.inDataDir(this.context.dataDir);
    try {
      return state.queue(TENANT, 1000).map((q) => `${q.leadId} ${q.reason} ${q.ownerId ?? '-'}`);
    } finally {
      state.close();
    }
  }

  close(): void {
    this.runtime.close?.();
  }
}

/**
 * The embedded store in a temporary folder, commands on leads and teams as the API would issue them,
 * and routing instances to run over it.
 */
export class RoutingHarness {
  readonly clock = new ManualClock('2026-03-02T09:00:00.000Z');
  readonly dir = mkdtempSync(join(tmpdir(), 'routing-'));
  readonly store = new SqliteEventStore({ filename: join(this.dir, 'events.sqlite') });
  private readonly leads = new AggregateRepository<LeadState, LeadEvent>(this.store, { initialState: initialLeadState, evolve: evolveLead, decode: decodeLeadEvent }, { cachedStreams: 0 });
  private readonly teamCommands: TeamCommands;
  private n = 0;

  constructor(readonly config: LifecycleConfig) {
    this.teamCommands = new TeamCommands(this.context('main'));
  }

  /** The context of an instance whose state lives in its own folder `name` (with the host's routing strategy, if given). */
  context(name: string, routingStrategy?: HostRoutingStrategy): AutomationContext {
    const dataDir = join(this.dir, name);
    mkdirSync(dataDir, { recursive: true });
    return { store: this.store, clock: this.clock, lifecycleConfig: this.config, dataDir, routingStrategy };
  }

  instance(name = 'main', routingStrategy?: HostRoutingStrategy): RoutingInstance {
    return new RoutingInstance(this.context(name, routingStrategy));
  }

  /** Copies an instance's state file (closed) to another name: a crash that lost the transaction in flight. */
  copyState(from: string, to: string): void {
    mkdirSync(join(this.dir, to), { recursive: true });
    copyFileSync(join(this.dir, from, 'routing.sqlite'), join(this.dir, to, 'routing.sqlite'));
  }

  private ctx(command: string): CommandContext {
    this.n++;
    return { tenantId: TENANT, actor: 'apikey:test', correlationId: `c${this.n}`, causationId: `req-${this.n}`, command };
  }

  async team(teamId: string, ...members: Array<{ ownerId: string; capacity?: number; weight?: number }>): Promise<void> {
    await this.teamCommand(teamId, { type: 'CreateTeam', teamId, tenantId: TENANT, name: teamId, occurredAt: this.now() });
    for (const m of members) await this.teamCommand(teamId, { type: 'AddTeamMember', teamId, ...m, occurredAt: this.now() });
  }

  async teamCommand(teamId: string, command: TeamCommand): Promise<void> {
    await this.teamCommands.run(teamId, command, this.ctx(command.type));
  }

  async away(teamId: string, ownerId: string, until?: string): Promise<void> {
    await this.teamCommand(teamId, { type: 'ChangeMemberAvailability', teamId, ownerId, available: false, until, occurredAt: this.now() });
  }

  async remove(teamId: string, ownerId: string): Promise<void> {
    await this.teamCommand(teamId, { type: 'RemoveTeamMember', teamId, ownerId, occurredAt: this.now() });
  }

  async back(teamId: string, ownerId: string): Promise<void> {
    await this.teamCommand(teamId, { type: 'ChangeMemberAvailability', teamId, ownerId, available: true, occurredAt: this.now() });
  }

  async capture(leadId: string, over: { channel?: CaptureLead['source']['channel']; campaign?: string; company?: CompanyProfile; jobTitle?: string } = {}): Promise<void> {
    const command: CaptureLead = {
      type: 'CaptureLead',
      leadId,
      tenantId: TENANT,
      contact: { email: `${leadId}@example.com` },
      jobTitle: over.jobTitle,
      company: over.company,
      source: { channel: over.channel ?? 'web_form', campaign: over.campaign },
      occurredAt: this.now(),
    };
    await this.lead(leadId, command);
  }

  async lead(leadId: string, command: LeadCommand): Promise<void> {
    await this.leads.handle(leadStreamId(leadId), (state) => decideLead(command, state, this.config), this.ctx(command.type));
  }

  async assign(leadId: string, ownerId: string): Promise<void> {
    await this.lead(leadId, { type: 'AssignLead', ownerId, occurredAt: this.now() });
  }

  /** Appends an SlaBreached as the SLA reaction would. */
  async breach(leadId: string, ownerId: string, teamId: string | undefined, reassignments: number): Promise<void> {
    const [event] = (await this.store.readStream(leadStreamId(leadId))).slice(-1);
    await this.store.appendToStream(leadStreamId(leadId), [
      {
        eventId: randomUUID(),
        type: 'SlaBreached',
        schemaVersion: 1,
        data: { leadId, slaId: `sla-${this.n}`, policyId: 'p', ownerId, teamId, dueAt: this.now(), onBreach: 'reassign', reassignments, occurredAt: this.now() },
        metadata: { tenantId: TENANT, occurredAt: this.now(), actor: 'reaction:sla', correlationId: 'sla', causationId: event.eventId },
      },
    ], event.revision);
  }

  /** The routing events (LeadAssigned, LeadQueued) in global order, as comparable rows. */
  async routed(): Promise<string[]> {
    const all: StoredEvent[] = await this.store.readAll({ maxCount: 100_000 });
    return all
      .filter((e) => e.type === 'LeadQueued' || e.type === 'LeadAssigned')
      .map((e) => `${String(e.data.leadId)} ${e.type === 'LeadQueued' ? `queued:${String(e.data.reason)}` : `${String(e.data.ownerId)}:${String(e.data.reason)}`}`);
  }

  /** The owner of each lead now. */
  async ownerOf(leadId: string): Promise<string | undefined> {
    const { state } = await this.leads.load(leadStreamId(leadId));
    return state.stage === 'none' ? undefined : state.ownerId;
  }

  now(): string {
    return this.clock.now().toISOString();
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
