import { join } from 'node:path';
import { type SlaPolicy } from '@lead-lifecycle/domain';
import { ProcessorRunner, SqliteCheckpointStore, type StoredEvent } from '@lead-lifecycle/eventing';
import { RoutingHarness, routingConfig } from '../../../test/support/automation/routing-harness';
import type { AutomationRuntime } from './automation-part';
import { SLA_PART } from './sla/sla.part';

const reassignOnBreach: SlaPolicy = { id: 'hot-30s', when: {}, firstTouchWithin: 'PT30S', calendar: '24x7', onBreach: 'reassign' };

/** Routing and SLAs of one instance, run together as the processor worker runs them. */
class Instance {
  private readonly routing;
  private readonly sla: AutomationRuntime;
  private readonly slaRunner: ProcessorRunner;
  private readonly checkpoints: SqliteCheckpointStore;

  constructor(h: RoutingHarness, name: string) {
    this.routing = h.instance(name);
    const context = h.context(name);
    this.sla = SLA_PART.runtime(context);
    this.checkpoints = new SqliteCheckpointStore(join(context.dataDir, 'read-models.sqlite'));
    const [{ processor, options }] = this.sla.processors;
    this.slaRunner = new ProcessorRunner(context.store, this.checkpoints, processor, { ...options, poisonPolicy: 'stop', log: () => undefined });
  }

  /** Both reactions to the head (until neither appends), then the due deadlines at the clock's now, then the reactions again. */
  async tick(now: Date): Promise<void> {
    await this.settle();
    for (const sweeper of this.sla.sweepers) await sweeper.sweep(now);
    await this.settle();
  }

  private async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await this.routing.catchUp();
      await this.slaRunner.catchUp();
    }
  }

  close(): void {
    this.routing.close();
    this.sla.close?.();
    this.checkpoints.close();
  }
}

const automationRows = (events: StoredEvent[]) =>
  events
    .filter((e) => ['LeadAssigned', 'LeadQueued', 'SlaStarted', 'SlaBreached', 'SlaMet'].includes(e.type))
    .map((e) => {
      const d = e.data;
      switch (e.type) {
        case 'LeadAssigned':
          return `assigned ${String(d.ownerId)} (${String(d.reason)})`;
        case 'LeadQueued':
          return `queued (${String(d.reason)})`;
        case 'SlaStarted':
          return `sla started for ${String(d.ownerId)} due ${String(d.dueAt)}`;
        case 'SlaBreached':
          return `sla breached by ${String(d.ownerId)} after ${String(d.reassignments)} reassignments`;
        default:
          return `sla met by ${String(d.ownerId)}`;
      }
    });

describe('routing and SLAs together: breach, reassignment, exhaustion', () => {
  let h: RoutingHarness;
  afterEach(async () => h && (await h.close()));

  const config = () => {
    const base = routingConfig([{ id: 'inside', when: {}, assign: { teamId: 'inside', strategy: 'round_robin' } }], 'capture', 2);
    return { ...base, sla: { ...base.sla, policies: [reassignOnBreach] } };
  };

  // The escalation's business time is the breach's (its due time), so each next SLA runs from the previous due time.
  it('each breach moves the lead to the next member with a new SLA, until maxReassignments, then it waits in the queue', async () => {
    h = new RoutingHarness(config());
    await h.team('inside', { ownerId: 'ann' }, { ownerId: 'bob' }, { ownerId: 'cid' }, { ownerId: 'dan' });
    const one = new Instance(h, 'one');
    await h.capture('hot-1');
    await one.tick(h.clock.now());
    for (let breach = 0; breach < 3; breach++) {
      h.clock.advance(31_000);
      await one.tick(h.clock.now());
    }
    const rows = automationRows(await h.store.readAll({ maxCount: 10_000 }));
    expect(rows).toEqual([
      'assigned ann (rule)',
      'sla started for ann due 2026-03-02T09:00:30.000Z',
      'sla breached by ann after 0 reassignments',
      'assigned bob (sla_escalation)',
      'sla started for bob due 2026-03-02T09:01:00.000Z',
      'sla breached by bob after 1 reassignments',
      'assigned cid (sla_escalation)',
      'sla started for cid due 2026-03-02T09:01:30.000Z',
      'sla breached by cid after 2 reassignments',
      'queued (sla_exhausted)',
    ]);
    one.close();
  });

  it('a touch in time ends the chain; a second instance running the same reactions appends nothing more', async () => {
    h = new RoutingHarness(config());
    await h.team('inside', { ownerId: 'ann' }, { ownerId: 'bob' });
    const one = new Instance(h, 'one');
    const two = new Instance(h, 'two');
    await h.capture('hot-2');
    await one.tick(h.clock.now());
    h.clock.advance(31_000);
    await one.tick(h.clock.now());
    h.clock.advance(10_000);
    await h.lead('hot-2', { type: 'RecordEngagement', activityType: 'call_logged', occurredAt: h.now() });
    await one.tick(h.clock.now());
    const before = await h.store.readAll({ maxCount: 10_000 });
    h.clock.advance(60_000);
    await two.tick(h.clock.now());
    await one.tick(h.clock.now());
    const after = await h.store.readAll({ maxCount: 10_000 });
    expect(automationRows(before)).toEqual([
      'assigned ann (rule)',
      'sla started for ann due 2026-03-02T09:00:30.000Z',
      'sla breached by ann after 0 reassignments',
      'assigned bob (sla_escalation)',
      'sla started for bob due 2026-03-02T09:01:00.000Z',
      'sla met by bob',
    ]);
    expect(after.map((e) => e.eventId)).toEqual(before.map((e) => e.eventId));
    one.close();
    two.close();
  });

  it('a lead moved off a member who left the team gets a new SLA for its new owner', async () => {
    const base = config();
    h = new RoutingHarness({ ...base, sla: { ...base.sla, policies: [{ ...reassignOnBreach, firstTouchWithin: 'PT1M', onBreach: 'record' }] } });
    await h.team('inside', { ownerId: 'ann' }, { ownerId: 'bob' });
    const one = new Instance(h, 'one');
    await h.capture('hot-3');
    await one.tick(h.clock.now());
    h.clock.advance(20_000);
    await h.remove('inside', 'ann');
    await one.tick(h.clock.now());
    h.clock.advance(20_000);
    await h.lead('hot-3', { type: 'RecordEngagement', activityType: 'call_logged', occurredAt: h.now() });
    await one.tick(h.clock.now());
    expect(automationRows(await h.store.readAll({ maxCount: 10_000 }))).toEqual([
      'assigned ann (rule)',
      'sla started for ann due 2026-03-02T09:01:00.000Z',
      'assigned bob (owner_unavailable)',
      'sla started for bob due 2026-03-02T09:01:20.000Z',
      'sla met by bob',
    ]);
    one.close();
  });
});
