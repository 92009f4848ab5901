import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgingRules, DEFAULT_LIFECYCLE_CONFIG, type LeadState, type LifecycleConfig } from '@lead-lifecycle/domain';
import { comparePositions, ProcessorRunner, SqliteCheckpointStore, SqliteEventStore, type StoredEvent, SweepScheduler } from '@lead-lifecycle/eventing';
import { deliveriesDuring, hasTable, toLegacyPositionFile } from '../../../../test/support/automation/legacy-position-file';
import { ManualClock } from '../../../../test/support/domain/manual-clock';
import { HistoryBuilder, isoAt } from '../../../../test/support/projections/history-builder';
import { readLeadHistory } from '@lead-lifecycle/lifecycle';
import type { AutomationRuntime } from '../automation-part';
import { AGING_PART } from './aging.part';
import { AgingReaction } from './aging.reaction';
import { AGING_ACTOR } from './aging.sweeper';
import { AgingWatchStore } from './aging-watch.store';

/**
 * The aging reactions on the real embedded store, driven by a manual clock. Every instance is the part's
 * runtime (reaction + sweeper) over its own data folder; a restart is a new runtime over the same files.
 * Times: D(n, h) is 2026-03-01T00:00Z plus n days and h hours (decay intervals of a day start at midnight UTC).
 */
const BASE = '2026-03-01T00:00:00.000Z';
const D = (days: number, hours = 0) => isoAt(BASE, days, hours);
const TENANT = 'acme';
/** Fit 65 (CEO +20, 1000 employees +20, software +15, US +10): an MQL at capture. */
const EXECUTIVE = { jobTitle: 'CEO', company: { size: 1000, industry: 'software', country: 'US' } };
/** Fit 45 (director +15, 300 employees +15, SaaS +15): warm, below the MQL threshold (50). */
const DIRECTOR = { jobTitle: 'Director of IT', company: { size: 300, industry: 'saas' } };

const configWith = (aging: Partial<AgingRules>): LifecycleConfig => ({
  ...DEFAULT_LIFECYCLE_CONFIG,
  // A sales touch the activities route records (0 points): the decider accepts it as engagement.
  scoring: {
    ...DEFAULT_LIFECYCLE_CONFIG.scoring,
    engagement: { ...DEFAULT_LIFECYCLE_CONFIG.scoring.engagement, activities: { ...DEFAULT_LIFECYCLE_CONFIG.scoring.engagement.activities, call_logged: 0 } },
  },
  sla: { ...DEFAULT_LIFECYCLE_CONFIG.sla, touchTypes: ['call_logged'] },
  aging: { ...DEFAULT_LIFECYCLE_CONFIG.aging, ...aging },
});

/** One engine instance running the aging part: its reaction on a runner with its own checkpoints, its sweeper on a scheduler. */
class Instance {
  private readonly runtime: AutomationRuntime;
  private readonly checkpoints: SqliteCheckpointStore;
  private readonly runners: ProcessorRunner[];
  private readonly sweeps: SweepScheduler;

  constructor(
    store: SqliteEventStore,
    clock: ManualClock,
    config: LifecycleConfig,
    readonly dataDir: string,
  ) {
    this.runtime = AGING_PART.runtime({ store, clock, lifecycleConfig: config, dataDir });
    this.checkpoints = new SqliteCheckpointStore(join(dataDir, 'read-models.sqlite'));
    const quiet = { log: () => undefined };
    this.runners = this.runtime.processors.map(({ processor, options }) => new ProcessorRunner(store, this.checkpoints, processor, { ...options, ...quiet }));
    this.sweeps = new SweepScheduler(clock, { intervalMs: 60_000, ...quiet });
    for (const sweeper of this.runtime.sweepers) this.sweeps.register(sweeper);
  }

  /** The reaction catches up with the log, then one round of sweeps at the clock's now. */
  async tick(): Promise<number> {
    for (const runner of this.runners) await runner.catchUp();
    return (await this.sweeps.sweepNow()).aging ?? 0;
  }

  close(): void {
    this.runtime.close?.();
    this.checkpoints.close();
  }
}

let dir: string;
const open: { store?: SqliteEventStore; instances: Instance[] } = { instances: [] };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aging-'));
});
afterEach(async () => {
  for (const instance of open.instances.splice(0)) instance.close();
  await open.store?.close();
  open.store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** A world: one store, a clock, a writer (the real deciders) and instances of the aging part. */
function world(config: LifecycleConfig, name = 'world') {
  const store = new SqliteEventStore({ filename: join(dir, `${name}-events.sqlite`) });
  open.store = store;
  const clock = new ManualClock(BASE);
  const writer = new HistoryBuilder(store, { config });
  const instance = (folder = 'node-1') => {
    const created = new Instance(store, clock, config, join(dir, name, folder));
    open.instances.push(created);
    return created;
  };
  const agingEvents = async () => (await store.readAll({ maxCount: 100_000 })).filter((e) => e.metadata.actor === AGING_ACTOR);
  return { store, clock, writer, instance, agingEvents };
}

const summary = (e: StoredEvent) => ({ streamId: e.streamId, type: e.type, data: e.data, occurredAt: e.metadata.occurredAt });

async function qualifiedLead(writer: HistoryBuilder, leadId: string, at: string, profile: object = EXECUTIVE): Promise<void> {
  await writer.capture({ tenantId: TENANT, leadId, at, source: { channel: 'web_form' }, ...profile });
}

async function openOpportunity(writer: HistoryBuilder, leadId: string, opportunityId: string, at: string): Promise<void> {
  await qualifiedLead(writer, leadId, at);
  await writer.promote(leadId, at);
  await writer.openOpportunity(leadId, opportunityId, { amount: 1000, currency: 'EUR', at });
}

describe('aging: stalled opportunities', () => {
  const config = configWith({ stalledAfter: { qualification: 'P3D', proposal: 'PT12H' } });

  it('stalls an opportunity once per idle spell, a stage change starts a new spell, and a restart in the middle doubles nothing', async () => {
    const { clock, writer, instance, agingEvents, store } = world(config);
    await openOpportunity(writer, 'L1', 'O1', D(0));
    let node = instance();
    for (const day of [1, 2]) {
      clock.set(D(day, 23));
      expect(await node.tick()).toBe(0);
    }
    clock.set(D(3));
    expect(await node.tick()).toBe(1);
    clock.set(D(3, 1));
    expect(await node.tick()).toBe(0);
    // Restart: a new runtime over the same files, later.
    node.close();
    node = instance();
    clock.set(D(5));
    expect(await node.tick()).toBe(0);
    await writer.moveOpportunity('O1', 'discovery', D(6)); // no limit for discovery: never stalls
    clock.set(D(20));
    expect(await node.tick()).toBe(0);
    await writer.moveOpportunity('O1', 'proposal', D(20, 1));
    clock.set(D(20, 12));
    expect(await node.tick()).toBe(0);
    clock.set(D(20, 13));
    expect(await node.tick()).toBe(1);
    node.close();
    node = instance();
    clock.set(D(40));
    expect(await node.tick()).toBe(0);

    const stalled = await agingEvents();
    expect(stalled.map(summary)).toEqual([
      {
        streamId: 'opportunity-O1',
        type: 'OpportunityStalled',
        data: { opportunityId: 'O1', leadId: 'L1', stage: 'qualification', idleSince: D(0), stalledAfter: 'P3D', occurredAt: D(3) },
        occurredAt: D(3),
      },
      {
        streamId: 'opportunity-O1',
        type: 'OpportunityStalled',
        data: { opportunityId: 'O1', leadId: 'L1', stage: 'proposal', idleSince: D(20, 1), stalledAfter: 'PT12H', occurredAt: D(20, 13) },
        occurredAt: D(20, 13),
      },
    ]);
    // The cause of each is the event that started its spell.
    const all = await store.readAll({ maxCount: 1000 });
    const opened = all.find((e) => e.type === 'OpportunityOpened')!;
    const toProposal = all.find((e) => e.type === 'OpportunityStageChanged' && e.data.to === 'proposal')!;
    expect(stalled.map((e) => e.metadata.causationId)).toEqual([opened.eventId, toProposal.eventId]);
    expect(await writer.opportunityState('O1')).toMatchObject({ status: 'open', stage: 'proposal', stageEnteredAt: D(20, 1), stalledAt: D(20, 13) });
  });

  it('a data folder from before the checkpoint moved into aging.sqlite resumes from its aging_checkpoint, applying no event twice', async () => {
    const { clock, writer, instance, agingEvents } = world(config);
    await openOpportunity(writer, 'L1', 'O1', D(0));
    clock.set(D(1));
    let node = instance();
    expect(await node.tick()).toBe(0);
    node.close();
    const file = join(node.dataDir, 'aging.sqlite');
    // The file as an older build left it; the position is what the state is the fold of.
    const position = toLegacyPositionFile(file, 'aging_checkpoint', 'reaction:aging');

    await openOpportunity(writer, 'L2', 'O2', D(1));
    const handed = await deliveriesDuring(AgingReaction, async () => {
      node = instance();
      clock.set(D(3));
      expect(await node.tick()).toBe(1); // O1, from the deadline the old file held
    });
    expect(handed.firstAfter).toEqual(position);
    expect(handed.positions.length).toBeGreaterThan(0);
    expect(handed.positions.filter((p) => comparePositions(p, position) <= 0)).toEqual([]);
    clock.set(D(4));
    expect(await node.tick()).toBe(1); // O2
    clock.set(D(10));
    expect(await node.tick()).toBe(0);
    expect((await agingEvents()).map((e) => [e.streamId, e.type, e.metadata.occurredAt])).toEqual([
      ['opportunity-O1', 'OpportunityStalled', D(3)],
      ['opportunity-O2', 'OpportunityStalled', D(4)],
    ]);
    expect(hasTable(file, 'aging_checkpoint')).toBe(false);
  });

  it('a won or lost opportunity never stalls, nor one moved on before its deadline', async () => {
    const { clock, writer, instance, agingEvents } = world(config);
    await openOpportunity(writer, 'L1', 'O1', D(0));
    await openOpportunity(writer, 'L2', 'O2', D(0));
    await openOpportunity(writer, 'L3', 'O3', D(0));
    const node = instance();
    await node.tick();
    await writer.win('O1', D(1));
    await writer.lose('O2', 'price', D(2));
    await writer.moveOpportunity('O3', 'discovery', D(2, 23));
    // The sweeper looks before the reaction saw any of it: it decides from the streams.
    clock.set(D(30));
    expect(await node.tick()).toBe(0);
    expect(await agingEvents()).toEqual([]);
  });
});

describe('aging: stale MQLs', () => {
  it('is off by default: an MQL nobody touches stays an MQL', async () => {
    const { clock, writer, instance, agingEvents } = world(configWith({}));
    await qualifiedLead(writer, 'L1', D(0));
    const node = instance();
    clock.set(D(400));
    expect(await node.tick()).toBe(0);
    expect(await agingEvents()).toEqual([]);
  });

  it('recycles an MQL with no sales touch for recycleStaleMqlAfter into nurture (reason stale); a touch restarts the clock', async () => {
    const { clock, writer, instance, agingEvents } = world(configWith({ recycleStaleMqlAfter: 'P2D' }));
    await qualifiedLead(writer, 'untouched', D(0));
    await qualifiedLead(writer, 'touched', D(0));
    await qualifiedLead(writer, 'promoted', D(0));
    let node = instance();
    await node.tick();
    await writer.engage('touched', 'call_logged', D(1, 12));
    await writer.engage('untouched', 'page_view', D(1, 12)); // marketing engagement is no sales touch
    await writer.promote('promoted', D(1));
    clock.set(D(2));
    expect(await node.tick()).toBe(1);
    // Restart between the two deadlines.
    node.close();
    node = instance();
    clock.set(D(3, 11));
    expect(await node.tick()).toBe(0);
    clock.set(D(3, 12));
    expect(await node.tick()).toBe(1);
    clock.set(D(10));
    expect(await node.tick()).toBe(0);
    expect((await agingEvents()).map(summary)).toEqual([
      { streamId: 'lead-untouched', type: 'LeadRecycled', data: { leadId: 'untouched', reason: 'stale', fromStage: 'mql', occurredAt: D(2) }, occurredAt: D(2) },
      { streamId: 'lead-touched', type: 'LeadRecycled', data: { leadId: 'touched', reason: 'stale', fromStage: 'mql', occurredAt: D(3, 12) }, occurredAt: D(3, 12) },
    ]);
    expect((await writer.leadState('touched')).stage).toBe('nurturing');
    expect((await writer.leadState('promoted')).stage).toBe('sql');
  });
});

describe('aging: the decay sweep', () => {
  // Fit 45, then demo_request +25 at D0: 70 hot, MQL. Engagement 25 * 0.5^(d/30); a ScoreChanged once the
  // total moved by 5 since the last one, looked at each midnight: 19.8 at D10 (64.8), 14.7 at D23 (59.7, warm),
  // 9.7 at D41 (54.7), 4.7 at D72 (49.7, below the threshold: still an MQL). After that the engagement
  // can only fade from 4.7 toward 0, less than a step: the lead is not looked at any more.
  const config = configWith({ decay: { step: 5, every: 'P1D' } });
  const engagementAt = (day: number) => Math.round(25 * 0.5 ** (day / 30) * 10) / 10;
  const expectedTotals = [10, 23, 41, 72].map((day) => ({ day, total: Math.round((45 + engagementAt(day)) * 10) / 10 }));

  async function script(writer: HistoryBuilder) {
    await qualifiedLead(writer, 'L1', D(0), DIRECTOR);
    await writer.engage('L1', 'demo_request', D(0));
    await qualifiedLead(writer, 'fit-only', D(0), DIRECTOR); // no engagement: nothing ever decays
  }

  async function runDays(nodes: Instance[], clock: ManualClock, from: number, to: number): Promise<void> {
    for (let day = from; day <= to; day++) {
      for (const hour of [0, 6]) {
        clock.set(D(day, hour));
        for (const node of nodes) await node.tick();
      }
    }
  }

  it('appends ScoreChanged (reason decay) each time the decayed score moved by a step, once per interval, through a restart', async () => {
    const { clock, writer, instance, agingEvents } = world(config);
    await script(writer);
    let node = instance();
    await runDays([node], clock, 1, 30);
    node.close();
    node = instance();
    await runDays([node], clock, 31, 100);

    const decays = await agingEvents();
    expect(decays.map((e) => ({ type: e.type, occurredAt: e.metadata.occurredAt, total: (e.data.current as { total: number }).total, reasons: e.data.reasons }))).toEqual(
      expectedTotals.map(({ day, total }) => ({ type: 'ScoreChanged', occurredAt: D(day), total, reasons: ['decay'] })),
    );
    expect(decays.map((e) => e.data.temperature)).toEqual(['hot', 'warm', 'warm', 'warm']);
    const lead = (await writer.leadState('L1')) as Extract<LeadState, { stage: 'mql' }>;
    expect(lead).toMatchObject({ stage: 'mql', score: { total: expectedTotals[3].total }, temperature: 'warm' });
    // Incremental: once the score can no longer move by a step, the lead is not looked at any more.
    const watches = AgingWatchStore.inDataDir(node.dataDir);
    try {
      expect(watches.all().filter((w) => w.kind === 'decay')).toEqual([]);
    } finally {
      watches.close();
    }
  });

  it('two instances give the same events as one', async () => {
    const one = world(config, 'one');
    await script(one.writer);
    await runDays([one.instance()], one.clock, 1, 80);
    const single = (await one.agingEvents()).map((e) => ({ ...summary(e), eventId: e.eventId }));
    await one.store.close();
    open.store = undefined;

    const two = world(config, 'two');
    await script(two.writer);
    await runDays([two.instance('node-a'), two.instance('node-b')], two.clock, 1, 80);
    const pair = (await two.agingEvents()).map((e) => ({ ...summary(e), eventId: e.eventId }));
    expect(pair).toEqual(single);
    expect(single).toHaveLength(4);
  });
});

describe('aging: recycling closed leads', () => {
  const config = configWith({ recycleClosed: { after: 'P7D', lostReasons: ['price'], disqualificationReasons: ['no_budget'] } });

  it('recycles leads lost or disqualified with a configured reason after the cooling period, once, and no other', async () => {
    const { clock, writer, instance, agingEvents } = world(config);
    await qualifiedLead(writer, 'broke', D(0));
    await writer.disqualify('broke', 'no_budget', D(1));
    await qualifiedLead(writer, 'spam', D(0));
    await writer.disqualify('spam', 'competitor', D(1));
    await openOpportunity(writer, 'pricey', 'O1', D(0));
    await writer.lose('O1', 'price', D(2));
    await openOpportunity(writer, 'undecided', 'O2', D(0));
    await writer.lose('O2', 'no_decision', D(2));
    await qualifiedLead(writer, 'early', D(0));
    await writer.disqualify('early', 'no_budget', D(1));
    let node = instance();
    await node.tick();
    await writer.recycle('early', D(3), 'came back'); // recycled by hand before the deadline
    clock.set(D(8, 23));
    expect(await node.tick()).toBe(1);
    node.close();
    node = instance();
    expect(await node.tick()).toBe(0);
    clock.set(D(9));
    expect(await node.tick()).toBe(1);
    clock.set(D(60));
    expect(await node.tick()).toBe(0);
    expect((await agingEvents()).map(summary)).toEqual([
      {
        streamId: 'lead-broke',
        type: 'LeadRecycled',
        data: { leadId: 'broke', reason: 'disqualified: no_budget', fromStage: 'disqualified', occurredAt: D(8) },
        occurredAt: D(8),
      },
      {
        streamId: 'lead-pricey',
        type: 'LeadRecycled',
        data: { leadId: 'pricey', reason: 'lost: price', fromStage: 'opportunity', occurredAt: D(9) },
        occurredAt: D(9),
      },
    ]);
    expect((await writer.leadState('spam')).stage).toBe('disqualified');
    expect((await writer.leadState('undecided')).stage).toBe('opportunity');
  });

  it('a recycled lead re-enters as an MQL on its first engagement after the cool-off', async () => {
    const { clock, writer, instance } = world({ ...config, aging: { ...config.aging, reentryCoolOff: 'P10D' } });
    await openOpportunity(writer, 'pricey', 'O1', D(0));
    await writer.lose('O1', 'price', D(0));
    const node = instance();
    clock.set(D(7));
    expect(await node.tick()).toBe(1);
    await writer.engage('pricey', 'page_view', D(16));
    expect((await writer.leadState('pricey')).stage).toBe('nurturing');
    await writer.engage('pricey', 'page_view', D(17));
    expect((await writer.leadState('pricey')).stage).toBe('mql');
  });
});

describe('aging: every rule at once, one instance, two instances, restarts', () => {
  const config = configWith({
    stalledAfter: { qualification: 'P3D', proposal: 'P2D' },
    recycleStaleMqlAfter: 'P5D',
    decay: { step: 5, every: 'P1D' },
    reentryCoolOff: 'P10D',
    recycleClosed: { after: 'P7D', lostReasons: ['price'], disqualificationReasons: ['no_budget'] },
  });

  /** Commands by day; between them every instance ticks at 00:00 and 12:00. */
  const script: Record<number, (writer: HistoryBuilder) => Promise<unknown>> = {
    0: async (w) => {
      await openOpportunity(w, 'deal', 'O1', D(0));
      await openOpportunity(w, 'lost-deal', 'O2', D(0));
      await qualifiedLead(w, 'stale', D(0));
      await qualifiedLead(w, 'fading', D(0), DIRECTOR);
      await w.engage('fading', 'demo_request', D(0));
      await qualifiedLead(w, 'broke', D(0));
    },
    1: (w) => w.disqualify('broke', 'no_budget', D(1)),
    2: (w) => w.lose('O2', 'price', D(2)),
    4: (w) => w.moveOpportunity('O1', 'proposal', D(4, 6)),
    3: (w) => w.engage('stale', 'call_logged', D(3, 6)),
    20: (w) => w.engage('lost-deal', 'pricing_page_view', D(20)),
  };

  type Run = { nodes: string[]; restartEveryTick?: boolean; loseHostCheckpoints?: boolean };

  async function run(name: string, { nodes, restartEveryTick, loseHostCheckpoints }: Run) {
    const w = world(config, name);
    let instances = nodes.map((node) => w.instance(node));
    for (let day = 0; day <= 40; day++) {
      await script[day]?.(w.writer);
      for (const hour of [0, 12]) {
        w.clock.set(D(day, hour));
        for (const instance of instances) await instance.tick();
        if (restartEveryTick) {
          for (const instance of instances) instance.close();
          // Losing the host's checkpoints replays the log from the start: the reaction's own checkpoint skips what it applied.
          if (loseHostCheckpoints) for (const node of nodes) rmSync(join(dir, name, node, 'read-models.sqlite'), { force: true });
          instances = nodes.map((node) => w.instance(node));
        }
      }
    }
    const events = (await w.agingEvents()).map((e) => ({ ...summary(e), eventId: e.eventId }));
    // Each appears in its lead's history, with what it changed and its cause.
    const history = (await readLeadHistory(w.store, 'deal')).events.filter((e) => e.metadata.actor === AGING_ACTOR);
    const histories = {
      deal: history.map((e) => ({ type: e.type, command: e.metadata.command, transition: e.transition, hasCause: Boolean(e.metadata.causationId) })),
      fading: (await readLeadHistory(w.store, 'fading')).events.filter((e) => e.metadata.actor === AGING_ACTOR).map((e) => [e.type, e.transition]),
    };
    const stages = Object.fromEntries(
      await Promise.all(['deal', 'lost-deal', 'stale', 'fading', 'broke'].map(async (id) => [id, (await w.writer.leadState(id)).stage] as const)),
    );
    await w.store.close();
    open.store = undefined;
    return { events, stages, histories };
  }

  it('the same events, with the same ids, whether one instance runs, two run at once, or instances restart at every tick', async () => {
    const single = await run('single', { nodes: ['a'] });
    // By hand: O1 stalls in qualification (D0 + 3 days) and in proposal (D4 06:00 + 2 days); fading (an MQL at D0
    // with no sales touch) goes stale at D5, stale (touched at D3 06:00) at D8 06:00; broke is recycled 7 days after
    // its disqualification, lost-deal 7 days after its loss; lost-deal re-enters as an MQL on its engagement at
    // D20 (cool-off of 10 days since D9) and goes stale again at D25; fading decays at D10 and D23.
    expect(single.events.map((e) => [e.type, e.streamId, e.occurredAt, e.data.reason ?? e.data.stage ?? (e.data.current as { total: number }).total])).toEqual([
      ['OpportunityStalled', 'opportunity-O1', D(3), 'qualification'],
      ['LeadRecycled', 'lead-fading', D(5), 'stale'],
      ['OpportunityStalled', 'opportunity-O1', D(6, 6), 'proposal'],
      ['LeadRecycled', 'lead-broke', D(8), 'disqualified: no_budget'],
      ['LeadRecycled', 'lead-stale', D(8, 6), 'stale'],
      ['LeadRecycled', 'lead-lost-deal', D(9), 'lost: price'],
      ['ScoreChanged', 'lead-fading', D(10), 64.8],
      ['ScoreChanged', 'lead-fading', D(23), 59.7],
      ['LeadRecycled', 'lead-lost-deal', D(25), 'stale'],
    ]);
    expect(single.stages).toEqual({ deal: 'opportunity', 'lost-deal': 'nurturing', stale: 'nurturing', fading: 'nurturing', broke: 'nurturing' });
    expect(single.histories).toEqual({
      deal: [
        { type: 'OpportunityStalled', command: 'MarkOpportunityStalled', transition: {}, hasCause: true },
        { type: 'OpportunityStalled', command: 'MarkOpportunityStalled', transition: {}, hasCause: true },
      ],
      fading: [
        ['LeadRecycled', { stage: { before: 'mql', after: 'nurturing' } }],
        ['ScoreChanged', { score: { before: 70, after: 64.8 } }],
        ['ScoreChanged', { score: { before: 64.8, after: 59.7 } }],
      ],
    });

    expect(await run('pair', { nodes: ['a', 'b'] })).toEqual(single);
    expect(await run('restarts', { nodes: ['a'], restartEveryTick: true })).toEqual(single);
    expect(await run('restarts-replayed', { nodes: ['a', 'b'], restartEveryTick: true, loseHostCheckpoints: true })).toEqual(single);
  }, 60_000);
});
