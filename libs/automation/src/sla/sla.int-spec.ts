import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AssignmentReason,
  DEFAULT_LIFECYCLE_CONFIG,
  decideLead,
  decodeLeadEvent,
  evolveLead,
  initialLeadState,
  type LeadCommand,
  type LeadEvent,
  type LeadState,
  leadStreamId,
  type LifecycleConfig,
  type SlaPolicy,
} from '@lead-lifecycle/domain';
import {
  comparePositions,
  type EventStore,
  ProcessorRunner,
  SqliteCheckpointStore,
  SqliteEventStore,
} from '@lead-lifecycle/eventing';
import { AggregateRepository, withDomainUpcasting } from '@lead-lifecycle/lifecycle';
import { deliveriesDuring, hasTable, toLegacyPositionFile } from '../../../../test/support/automation/legacy-position-file';
import { ManualClock } from '../../../../test/support/domain/manual-clock';
import type { AutomationRuntime } from '../automation-part';
import { SLA_PART } from './sla.part';
import { querySla } from './sla.query';
import { SLA_REACTION_NAME, SlaReaction } from './sla.reaction';
import { SlaStateStore } from './sla-state.store';

const berlinHours = { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], hours: { from: '09:00', to: '17:00' }, holidays: ['2026-12-25'] };

const policy = (patch: Partial<SlaPolicy>): SlaPolicy => ({ id: 'default', when: {}, firstTouchWithin: 'PT30S', calendar: '24x7', onBreach: 'record', ...patch });

const configWith = (policies: SlaPolicy[], maxReassignments = 2): LifecycleConfig => ({
  ...DEFAULT_LIFECYCLE_CONFIG,
  sla: { ...DEFAULT_LIFECYCLE_CONFIG.sla, maxReassignments, policies },
});

const quiet = { log: () => undefined };

/** One instance of the SLA part: its own data folder (state file, checkpoints) over the shared store. */
class Instance {
  readonly runtime: AutomationRuntime;
  private readonly checkpoints: SqliteCheckpointStore;
  private readonly runner: ProcessorRunner;

  constructor(
    store: EventStore,
    readonly dataDir: string,
    readonly clock: ManualClock,
    config: LifecycleConfig,
  ) {
    this.runtime = SLA_PART.runtime({ store, clock, lifecycleConfig: config, dataDir });
    this.checkpoints = new SqliteCheckpointStore(join(dataDir, 'read-models.sqlite'));
    const [{ processor, options }] = this.runtime.processors;
    this.runner = new ProcessorRunner(store, this.checkpoints, processor, { ...options, ...quiet });
  }

  /** The reaction reads everything up to the head, then the sweeper sweeps at the clock's now. */
  async tick(): Promise<number> {
    await this.runner.catchUp();
    let acted = 0;
    for (const sweeper of this.runtime.sweepers) acted += await sweeper.sweep(this.clock.now());
    await this.runner.catchUp();
    return acted;
  }

  async catchUp(): Promise<void> {
    await this.runner.catchUp();
  }

  close(): void {
    this.runtime.close?.();
    this.checkpoints.close();
  }
}

describe('response SLAs (reaction:sla and its breach sweeper)', () => {
  let dir: string;
  let raw: SqliteEventStore;
  let store: EventStore;
  let clock: ManualClock;
  let leads: AggregateRepository<LeadState, LeadEvent>;
  const open: Instance[] = [];

  const boot = (config: LifecycleConfig, name = 'a') => {
    const instance = new Instance(store, join(dir, name), clock, config);
    open.push(instance);
    return instance;
  };

  const command = async (leadId: string, config: LifecycleConfig, cmd: LeadCommand, actor = 'user:tester') =>
    leads.handle(leadStreamId(leadId), (state) => decideLead(cmd, state, config), {
      tenantId: 'acme',
      actor,
      correlationId: `corr-${leadId}`,
      causationId: `cause-${cmd.type}`,
    });

  const capture = (leadId: string, config: LifecycleConfig, channel: 'web_form' | 'referral' = 'web_form') =>
    command(leadId, config, {
      type: 'CaptureLead',
      leadId,
      tenantId: 'acme',
      contact: { email: `${leadId}@example.com` },
      source: { channel },
      occurredAt: clock.now().toISOString(),
    });
  const assign = (leadId: string, config: LifecycleConfig, ownerId: string) =>
    command(leadId, config, { type: 'AssignLead', ownerId, occurredAt: clock.now().toISOString() });
  const touch = (leadId: string, config: LifecycleConfig, type = 'call_logged', occurredAt = clock.now().toISOString()) =>
    command(leadId, config, { type: 'RecordEngagement', activityType: type, occurredAt });

  /** What routing does on a breach with onBreach reassign (built by the routing part): here by hand. */
  const escalate = async (leadId: string, ownerId: string, reason: AssignmentReason = 'sla_escalation') => {
    const stream = await store.readStream(leadStreamId(leadId));
    await store.appendToStream(leadStreamId(leadId), [
      {
        eventId: `00000000-0000-4000-8000-${String(stream.length).padStart(12, '0')}`,
        type: 'LeadAssigned',
        schemaVersion: 2,
        data: { leadId, ownerId, reason, teamId: 'inside', occurredAt: clock.now().toISOString() },
        metadata: { tenantId: 'acme', occurredAt: clock.now().toISOString(), actor: 'reaction:routing', correlationId: 'c', causationId: 'x' },
      },
    ]);
  };

  const slaEvents = async (leadId: string) =>
    (await store.readStream(leadStreamId(leadId))).filter((e) => e.type.startsWith('Sla')).map((e) => ({ type: e.type, data: decodeLeadEvent(e).data }));

  /** Every event of the store, as another store would hold it (ids, types, data, business metadata). */
  const dump = async (of: EventStore) =>
    (await of.readAll({ maxCount: 100_000 })).map((e) => ({
      eventId: e.eventId,
      streamId: e.streamId,
      type: e.type,
      data: e.data,
      actor: e.metadata.actor,
      causationId: e.metadata.causationId,
    }));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sla-'));
    raw = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    store = withDomainUpcasting(raw);
    clock = new ManualClock('2026-03-02T09:00:00.000Z'); // Monday, 10:00 in Berlin
    leads = new AggregateRepository(store, { initialState: initialLeadState, evolve: evolveLead, decode: decodeLeadEvent }, { cachedStreams: 0 });
  });

  afterEach(async () => {
    for (const instance of open.splice(0)) instance.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts an SLA on assignment and meets it with the first sales touch in time', async () => {
    const config = configWith([policy({ id: 'web', when: { channel: 'referral' } }), policy({ id: 'any', firstTouchWithin: 'PT1M' })]);
    const sla = boot(config);
    await capture('l1', config);
    await assign('l1', config, 'rep-1');
    clock.advance(20_000);
    await touch('l1', config, 'page_view'); // marketing engagement is no sales touch
    await touch('l1', config, 'email_sent');
    clock.advance(5_000);
    await touch('l1', config, 'call_logged');
    await sla.tick();
    clock.advance(120_000);
    expect(await sla.tick()).toBe(0);

    const events = await slaEvents('l1');
    expect(events.map((e) => e.type)).toEqual(['SlaStarted', 'SlaMet']);
    expect(events[0].data).toMatchObject({ policyId: 'any', ownerId: 'rep-1', startedAt: '2026-03-02T09:00:00.000Z', dueAt: '2026-03-02T09:01:00.000Z' });
    expect(events[1].data).toMatchObject({ policyId: 'any', ownerId: 'rep-1', touchType: 'email_sent', secondsToFirstTouch: 20 });
    const report = querySla(new SlaStateStore(join(dir, 'a', 'sla.sqlite')).db, 'acme', {}, clock.now());
    expect(report.counts).toMatchObject({ started: 1, met: 1, open: 0, breached: 0 });
    expect(report.timeToFirstTouch).toEqual({ measured: 1, medianSeconds: 20, p90Seconds: 20 });
    expect(querySla(new SlaStateStore(join(dir, 'a', 'sla.sqlite')).db, 'other-tenant', {}, clock.now()).counts.started).toBe(0);
  });

  it('chooses the first policy whose when matches the lead at assignment, and starts none when no policy matches', async () => {
    const config = configWith([policy({ id: 'referrals', when: { channel: 'referral' } }), policy({ id: 'sqls', when: { stage: 'sql' } })]);
    const sla = boot(config);
    await capture('ref', config, 'referral');
    await capture('web', config, 'web_form');
    await assign('ref', config, 'rep-1');
    await assign('web', config, 'rep-1');
    await sla.tick();
    expect((await slaEvents('ref')).map((e) => [e.type, (e.data as { policyId: string }).policyId])).toEqual([['SlaStarted', 'referrals']]);
    expect(await slaEvents('web')).toEqual([]);
  });

  it('breaches at the due time across the evening boundary of business hours, stamped with the due time', async () => {
    const config = configWith([policy({ id: 'office', firstTouchWithin: 'PT1H', calendar: berlinHours })]);
    const sla = boot(config);
    clock.set('2026-03-02T15:30:00.000Z'); // Monday 16:30 in Berlin: 30 min today, 30 min on Tuesday
    await capture('l1', config);
    await assign('l1', config, 'rep-1');
    await sla.tick();
    const [started] = await slaEvents('l1');
    expect(started.data).toMatchObject({ dueAt: '2026-03-03T08:30:00.000Z' });

    clock.set('2026-03-03T08:29:59.000Z'); // the night does not count
    expect(await sla.tick()).toBe(0);
    clock.set('2026-03-03T08:30:07.000Z');
    expect(await sla.tick()).toBe(1);
    expect(await sla.tick()).toBe(0);
    await touch('l1', config); // too late: the breach stands, nothing is met
    await sla.tick();
    const events = await slaEvents('l1');
    expect(events.map((e) => e.type)).toEqual(['SlaStarted', 'SlaBreached']);
    expect(events[1].data).toEqual({
      leadId: 'l1',
      slaId: (started.data as { slaId: string }).slaId,
      policyId: 'office',
      ownerId: 'rep-1',
      dueAt: '2026-03-03T08:30:00.000Z',
      onBreach: 'record',
      reassignments: 0,
      occurredAt: '2026-03-03T08:30:00.000Z',
    });
    const report = querySla(new SlaStateStore(join(dir, 'a', 'sla.sqlite')).db, 'acme', {}, clock.now());
    expect(report.breaches).toEqual({ total: 1, byPolicy: [{ policyId: 'office', breaches: 1 }], byOwner: [{ ownerId: 'rep-1', breaches: 1 }] });
    // The late touch still counts for the time to first touch: 30 min of business time, 16 h of wall clock.
    expect(report.timeToFirstTouch.measured).toBe(1);
  });

  it('does not run on a holiday: due after Christmas and the weekend, met by a touch on Monday morning', async () => {
    const config = configWith([policy({ id: 'office', firstTouchWithin: 'PT2H', calendar: berlinHours })]);
    const sla = boot(config);
    clock.set('2026-12-24T15:00:00.000Z'); // Thursday 16:00 in Berlin
    await capture('l1', config);
    await assign('l1', config, 'rep-1');
    await sla.tick();
    expect((await slaEvents('l1'))[0].data).toMatchObject({ dueAt: '2026-12-28T09:00:00.000Z' });
    clock.set('2026-12-25T12:00:00.000Z');
    expect(await sla.tick()).toBe(0);
    clock.set('2026-12-28T08:15:00.000Z');
    expect(await sla.tick()).toBe(0);
    await touch('l1', config, 'meeting_held');
    clock.set('2026-12-28T12:00:00.000Z');
    await sla.tick();
    expect((await slaEvents('l1')).map((e) => e.type)).toEqual(['SlaStarted', 'SlaMet']);
  });

  it('a touch recorded after the due time but before the sweep breaches (the same event the sweeper writes)', async () => {
    const config = configWith([policy({})]);
    const sla = boot(config);
    await capture('l1', config);
    await assign('l1', config, 'rep-1');
    clock.advance(45_000);
    await touch('l1', config);
    await sla.tick();
    const events = await slaEvents('l1');
    expect(events.map((e) => e.type)).toEqual(['SlaStarted', 'SlaBreached']);
    expect(events[1].data).toMatchObject({ occurredAt: '2026-03-02T09:00:30.000Z' });
  });

  it('a reassignment or the lead leaving lead/mql/sql ends the open SLA without a breach', async () => {
    const config = configWith([policy({})]);
    const sla = boot(config);
    await capture('moved', config);
    await assign('moved', config, 'rep-1');
    await capture('closed', config);
    await assign('closed', config, 'rep-1');
    await sla.tick();
    clock.advance(10_000);
    await assign('moved', config, 'rep-2');
    await command('closed', config, { type: 'DisqualifyLead', reason: 'no_budget', occurredAt: clock.now().toISOString() });
    clock.advance(60_000);
    await sla.tick();
    expect((await slaEvents('moved')).map((e) => [e.type, (e.data as { ownerId: string }).ownerId])).toEqual([
      ['SlaStarted', 'rep-1'],
      ['SlaStarted', 'rep-2'],
      ['SlaBreached', 'rep-2'],
    ]);
    expect((await slaEvents('closed')).map((e) => e.type)).toEqual(['SlaStarted']);
    const report = querySla(new SlaStateStore(join(dir, 'a', 'sla.sqlite')).db, 'acme', {}, clock.now());
    expect(report.counts).toMatchObject({ started: 3, ended: 2, breached: 1, open: 0 });
  });

  it('onBreach reassign: SlaBreached asks for it, and every new owner gets a new SLA counting the chain', async () => {
    const config = configWith([policy({ id: 'hot', onBreach: 'reassign' })]);
    const sla = boot(config);
    await capture('l1', config);
    await assign('l1', config, 'rep-1');
    await sla.tick();
    clock.advance(30_000);
    expect(await sla.tick()).toBe(1);
    await escalate('l1', 'rep-2');
    await sla.tick();
    clock.advance(30_000);
    expect(await sla.tick()).toBe(1);
    await escalate('l1', 'rep-3');
    await sla.tick();
    clock.advance(10_000);
    await touch('l1', config);
    await sla.tick();
    // A manual assignment starts a new chain.
    await assign('l1', config, 'rep-9');
    clock.advance(30_000);
    await sla.tick();

    const events = await slaEvents('l1');
    expect(events.map((e) => [e.type, (e.data as { ownerId: string }).ownerId, (e.data as { reassignments?: number }).reassignments])).toEqual([
      ['SlaStarted', 'rep-1', undefined],
      ['SlaBreached', 'rep-1', 0],
      ['SlaStarted', 'rep-2', undefined],
      ['SlaBreached', 'rep-2', 1],
      ['SlaStarted', 'rep-3', undefined],
      ['SlaMet', 'rep-3', undefined],
      ['SlaStarted', 'rep-9', undefined],
      ['SlaBreached', 'rep-9', 0],
    ]);
    expect(events.filter((e) => e.type === 'SlaBreached').every((e) => (e.data as { onBreach: string }).onBreach === 'reassign')).toBe(true);
  });

  /** A history with every outcome, driven step by step with `between` called between the steps. */
  const scenario = async (config: LifecycleConfig, between: () => Promise<void>) => {
    await capture('met', config);
    await capture('late', config);
    await capture('breached', config, 'referral');
    await assign('met', config, 'rep-1');
    await assign('late', config, 'rep-2');
    await between();
    await assign('breached', config, 'rep-1');
    clock.advance(10_000);
    await touch('met', config);
    await between();
    clock.advance(25_000);
    await between();
    await touch('late', config);
    await between();
    clock.advance(40_000);
    await between();
    await escalate('breached', 'rep-3');
    await between();
    clock.advance(40_000);
    await between();
  };

  it('a restart in the middle (new runtime over the same files) neither misses nor doubles a breach', async () => {
    const config = configWith([policy({ onBreach: 'reassign' })]);
    let sla = boot(config);
    let step = 0;
    await scenario(config, async () => {
      await sla.tick();
      if (++step % 2 === 0) {
        sla.close();
        open.splice(open.indexOf(sla), 1);
        sla = boot(config);
      }
    });
    const restarted = await dump(store);

    // The same history with one runtime that never restarts, on a fresh store and clock.
    await store.close();
    raw = new SqliteEventStore({ filename: join(dir, 'events-2.sqlite') });
    store = withDomainUpcasting(raw);
    leads = new AggregateRepository(store, { initialState: initialLeadState, evolve: evolveLead, decode: decodeLeadEvent }, { cachedStreams: 0 });
    clock.set('2026-03-02T09:00:00.000Z');
    for (const instance of open.splice(0)) instance.close();
    const single = boot(config, 'single');
    await scenario(config, () => single.tick().then(() => undefined));
    const once = await dump(store);

    expect(restarted.filter((e) => e.type.startsWith('Sla')).map((e) => e.type)).toEqual([
      'SlaStarted',
      'SlaStarted',
      'SlaStarted',
      'SlaMet',
      'SlaBreached',
      'SlaBreached',
      'SlaStarted',
      'SlaBreached',
    ]);
    expect(comparable(restarted)).toEqual(comparable(once));
  });

  it('a crash between the appends and the state commit redoes the batch without doubling anything', async () => {
    const config = configWith([policy({})]);
    const sla = boot(config);
    await capture('l1', config);
    await assign('l1', config, 'rep-1');
    const state = new SlaStateStore(join(dir, 'a', 'sla.sqlite'));
    const commit = jest.spyOn(SlaStateStore.prototype, 'write').mockImplementationOnce(() => {
      throw new Error('power cut');
    });
    await sla.catchUp().catch(() => undefined);
    commit.mockRestore();
    state.close();
    sla.close();
    open.splice(0);
    const again = boot(config, 'a');
    await again.tick();
    clock.advance(30_000);
    await again.tick();
    expect((await slaEvents('l1')).map((e) => e.type)).toEqual(['SlaStarted', 'SlaBreached']);
  });

  it('a data folder from before the checkpoint moved into sla.sqlite resumes from its sla_position, applying no event twice', async () => {
    const config = configWith([policy({ firstTouchWithin: 'PT1M' })]);
    const before = boot(config);
    await capture('l1', config);
    await assign('l1', config, 'rep-1');
    await before.tick();
    before.close();
    open.splice(0);
    const file = join(dir, 'a', 'sla.sqlite');
    // The file as an older build left it; the position is what the state is the fold of.
    const position = toLegacyPositionFile(file, 'sla_position', SLA_REACTION_NAME);

    clock.advance(20_000);
    await touch('l1', config);
    await capture('l2', config);
    await assign('l2', config, 'rep-2');
    const handed = await deliveriesDuring(SlaReaction, () => boot(config).tick().then(() => undefined));
    expect(handed.firstAfter).toEqual(position);
    expect(handed.positions.length).toBeGreaterThan(0);
    expect(handed.positions.filter((p) => comparePositions(p, position) <= 0)).toEqual([]);
    // The track of l1 came through the migration (its touch meets the SLA started before it), nothing doubled.
    expect((await slaEvents('l1')).map((e) => e.type)).toEqual(['SlaStarted', 'SlaMet']);
    expect((await slaEvents('l2')).map((e) => e.type)).toEqual(['SlaStarted']);
    expect(hasTable(file, 'sla_position')).toBe(false);
    const state = new SlaStateStore(file);
    try {
      expect(querySla(state.db, 'acme', {}, clock.now()).counts).toMatchObject({ started: 2, met: 1, open: 1 });
      expect(state.checkpoints.load(SLA_REACTION_NAME)).toEqual((await store.readAll({ maxCount: 100_000 })).at(-1)!.position);
    } finally {
      state.close();
    }
  });

  it('two instances with their own state files give the same events as one', async () => {
    const config = configWith([policy({ onBreach: 'reassign' }), policy({ id: 'never' })]);
    const a = boot(config, 'a');
    const b = boot(config, 'b');
    let turn = 0;
    await scenario(config, async () => {
      // They take turns and sometimes race, each with its own checkpoint and state.
      if (turn++ % 3 === 0) await Promise.all([a.tick(), b.tick()]);
      else if (turn % 2) await a.tick().then(() => b.tick());
      else await b.tick();
    });
    await Promise.all([a.tick(), b.tick()]);
    const two = await dump(store);

    await store.close();
    raw = new SqliteEventStore({ filename: join(dir, 'events-2.sqlite') });
    store = withDomainUpcasting(raw);
    leads = new AggregateRepository(store, { initialState: initialLeadState, evolve: evolveLead, decode: decodeLeadEvent }, { cachedStreams: 0 });
    clock.set('2026-03-02T09:00:00.000Z');
    for (const instance of open.splice(0)) instance.close();
    const single = boot(config, 'single');
    await scenario(config, () => single.tick().then(() => undefined));
    await single.tick();
    const one = await dump(store);

    expect(two.filter((e) => e.type === 'SlaBreached')).toHaveLength(3);
    expect(comparable(two)).toEqual(comparable(one));
  });
});

/**
 * Events of two runs, comparable: the commands' own events get random ids, so those are compared by
 * stream, type and data; the reaction's are compared with their ids (derived from their causes,
 * which differ between runs only by the commands' random ids, so replaced by their order of first appearance).
 */
function comparable(events: Array<{ eventId: string; streamId: string; type: string; data: Record<string, unknown>; actor: string; causationId: string }>) {
  const ids = new Map<string, string>();
  const alias = (id: string) => {
    if (!ids.has(id)) ids.set(id, `#${ids.size}`);
    return ids.get(id)!;
  };
  const text = (value: unknown) => JSON.stringify(value).replace(/sla-([0-9a-f-]{36})/g, (_m, id: string) => `sla-${alias(id)}`);
  // Per stream, in stream order: deadlines due at the same instant in two streams may be swept in either order.
  const byStream = [...events].sort((x, y) => (x.streamId < y.streamId ? -1 : x.streamId > y.streamId ? 1 : 0));
  for (const e of byStream) alias(e.eventId);
  return byStream.map((e) => ({ id: alias(e.eventId), streamId: e.streamId, type: e.type, data: text(e.data), actor: e.actor, causationId: ids.get(e.causationId) ?? e.causationId }));
}
