import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { leadStreamId } from '@lead-lifecycle/domain';
import { comparePositions, type EventStore, type GlobalPosition, type NewEvent, positionToString, SqliteEventStore, type StoredEvent } from '@lead-lifecycle/eventing';
import { type EventProcessor, type PoisonPolicy, ProcessorRunner, SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import {
  countQuarantinedInCohort,
  createProjections,
  PROJECTION_NAMES,
  type ProjectionName,
  projectionCheckpointName,
  ProjectionsConfig,
  rebuildProjection,
  SqliteProjectionProcessor,
} from '@lead-lifecycle/projections';
import { HistoryBuilder, isoAt } from '../../../test/support/projections/history-builder';
import { playJourneys } from '../../../test/support/projections/journeys';
import { checkpointPositions, dumpReadModels, TruncatedStore } from '../../../test/support/projections/read-model-dump';
import { rawLeadEvent } from '../../../test/support/raw-lead-event';

jest.setTimeout(60_000);

const quiet = { log: () => undefined };
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'projections-quarantine-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const LEAD = 'poisoned';
const START = '2026-03-01T00:00:00.000Z';
const t = (days: number) => isoAt(START, days);
const ALL_TABLES = PROJECTION_NAMES.flatMap((name) => createProjections()[name].tables);

/** A ScoreChanged whose score is null, as the old time bug stored them: lead_scores cannot take it (NOT NULL). */
function nullScore(tenantId: string, leadId: string, occurredAt: string): NewEvent {
  return rawLeadEvent(tenantId, 'ScoreChanged', {
    leadId,
    previous: { total: 63, fit: 38, engagement: 25 },
    current: { total: null, fit: 38, engagement: null },
    temperature: 'warm',
    reasons: ['old bug'],
    occurredAt,
  });
}

/** Appends `raw` to a lead stream as it is, bypassing the deciders (like an older build did). */
async function appendRaw(store: EventStore, streamId: string, raw: NewEvent): Promise<StoredEvent> {
  await store.appendToStream(streamId, [raw], 'any');
  return (await store.readStream(streamId)).find((e) => e.eventId === raw.eventId)!;
}

/**
 * Two tenants' journeys around lead LEAD of tenant acme, which has one ScoreChanged with a null score
 * (scoring cannot apply it; funnel and kpi ignore it), followed by a LeadAssigned of the same lead.
 */
async function historyWithPoisonedLead(store: EventStore = new SqliteEventStore({ filename: ':memory:' })) {
  const builder = new HistoryBuilder(store);
  await playJourneys(builder, { prefix: 'before', count: 6 });
  await builder.capture({ tenantId: 'acme', leadId: LEAD, at: t(0), source: { channel: 'web_form' }, jobTitle: 'Marketing Manager', company: { size: 120, industry: 'fintech', country: 'DE' } });
  await builder.engage(LEAD, 'demo_request', t(1));
  const poison = await appendRaw(store, leadStreamId(LEAD), nullScore('acme', LEAD, t(2)));
  await builder.assign(LEAD, 'rep-a', t(3)); // a later event of the lead, of another kind
  const next = (await store.readAll({ after: poison.position, maxCount: 1 }))[0];
  await playJourneys(builder, { prefix: 'after', count: 6, firstIndex: 6 });
  return { store, builder, poison, next };
}

function projectionRunners(store: EventStore, checkpoints: SqliteCheckpointStore, poisonPolicy: PoisonPolicy = 'quarantine', batchSize = 200) {
  const projections = createProjections();
  return Object.fromEntries(
    PROJECTION_NAMES.map((name) => {
      const processor = new SqliteProjectionProcessor(checkpoints.db, projections[name]);
      return [name, { processor, runner: new ProcessorRunner(store, checkpoints, processor, { batchSize, poisonPolicy, ...quiet }) }];
    }),
  ) as Record<ProjectionName, { processor: SqliteProjectionProcessor; runner: ProcessorRunner }>;
}

async function catchUpAll(runners: ReturnType<typeof projectionRunners>): Promise<void> {
  for (const name of PROJECTION_NAMES) await runners[name].runner.catchUp();
}

/** Every projection refolded into a fresh database from `store` (optionally skipping some events). */
async function reference(store: EventStore, poisonPolicy: PoisonPolicy, skip?: (e: StoredEvent) => boolean) {
  const fresh = new SqliteCheckpointStore(':memory:');
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); // the rebuild logs what it quarantines
  try {
    const source = skip ? new TruncatedStore(store, await store.headPosition(), skip) : store;
    for (const name of PROJECTION_NAMES) await rebuildProjection(source, fresh, name, { poisonPolicy });
    return {
      tables: dumpReadModels(fresh.db),
      projectionTables: dumpReadModels(fresh.db, ALL_TABLES),
      checkpoints: checkpointPositions(fresh.db),
      failures: fresh.failures().map(({ at: _at, ...f }) => f),
    };
  } finally {
    warn.mockRestore();
    fresh.close();
  }
}

const expectedQuarantine = (poison: StoredEvent) => ({
  processor: 'projection:scoring',
  tenantId: 'acme',
  leadId: LEAD,
  eventId: poison.eventId,
  type: 'ScoreChanged',
  position: positionToString(poison.position),
  error: expect.stringContaining('NOT NULL constraint failed: lead_scores.total'),
  since: poison.metadata.recordedAt,
  poisonEvents: 1,
});

const atHead = (checkpoints: SqliteCheckpointStore, head: GlobalPosition) =>
  PROJECTION_NAMES.every((name) => comparePositions(checkpoints.load(projectionCheckpointName(name))!, head) === 0);

describe("poison policy 'quarantine' (the default)", () => {
  it('is the default of PROJECTION_POISON_POLICY; stop and park stay available; anything else is refused', () => {
    expect(ProjectionsConfig.fromEnv({}).PROJECTION_POISON_POLICY).toBe('quarantine');
    expect(ProjectionsConfig.fromEnv({ PROJECTION_POISON_POLICY: 'stop' }).PROJECTION_POISON_POLICY).toBe('stop');
    expect(ProjectionsConfig.fromEnv({ PROJECTION_POISON_POLICY: 'park' }).PROJECTION_POISON_POLICY).toBe('park');
    expect(() => ProjectionsConfig.fromEnv({ PROJECTION_POISON_POLICY: 'ignore' })).toThrow(/PROJECTION_POISON_POLICY must be one of quarantine, stop, park/);
  });

  it('quarantines only the lead of the poison event: every other lead of both tenants, and the later events of that lead, are projected', async () => {
    const { store, poison } = await historyWithPoisonedLead();
    const checkpoints = new SqliteCheckpointStore(':memory:');
    const runners = projectionRunners(store, checkpoints);
    await catchUpAll(runners);

    // Nothing stopped: every projection reached the head.
    expect(atHead(checkpoints, await store.headPosition())).toBe(true);
    for (const name of PROJECTION_NAMES) expect(runners[name].runner.status().state).toBe('idle');

    // The scoring projection holds the lead, with the event and the error; the others hold nothing.
    expect(runners.scoring.processor.quarantine.list(100)).toEqual([expectedQuarantine(poison)]);
    expect(runners.scoring.processor.quarantine.count()).toBe(1);
    expect(runners.funnel.processor.quarantine.list(100)).toEqual([]);
    expect(runners.kpi.processor.quarantine.list(100)).toEqual([]);
    expect(runners.scoring.processor.quarantine.quarantinedAmong([LEAD, 'before0', 'after7'])).toEqual(new Set([LEAD]));
    expect(checkpoints.failures()).toEqual([
      {
        processor: 'projection:scoring',
        position: positionToString(poison.position),
        eventId: poison.eventId,
        eventType: 'ScoreChanged',
        error: expect.stringContaining('NOT NULL'),
        action: 'quarantined',
        at: expect.any(String),
      },
    ]);

    // The rows are those of every event but the poison one: exactly once, nothing else skipped.
    const withoutPoison = await reference(store, 'stop', (e) => e.eventId === poison.eventId);
    expect(dumpReadModels(checkpoints.db, ALL_TABLES)).toEqual(withoutPoison.projectionTables);
    // the later LeadAssigned of the quarantined lead was applied; leads of both tenants after it are there
    expect(checkpoints.db.prepare('SELECT owner_id, total FROM lead_scores WHERE lead_id = ?').get(LEAD)).toEqual({ owner_id: 'rep-a', total: 63 });
    expect(checkpoints.db.prepare(`SELECT tenant_id, count(*) AS n FROM lead_scores WHERE lead_id LIKE 'after%' GROUP BY tenant_id`).all()).toEqual([
      { tenant_id: 'acme', n: 3 },
      { tenant_id: 'globex', n: 3 },
    ]);

    // A rebuild under the same policy recomputes the same read models, quarantine included.
    const rebuilt = await reference(store, 'quarantine');
    expect(dumpReadModels(checkpoints.db)).toEqual(rebuilt.tables);
    expect(checkpointPositions(checkpoints.db)).toEqual(rebuilt.checkpoints);
    expect(checkpoints.failures().map(({ at: _at, ...f }) => f)).toEqual(rebuilt.failures);

    checkpoints.close();
    await store.close();
  });

  it('a later event of another kind leaves the lead quarantined; a later ScoreChanged (a rescore) releases it', async () => {
    const { store, builder, poison } = await historyWithPoisonedLead();
    const checkpoints = new SqliteCheckpointStore(':memory:');
    const runners = projectionRunners(store, checkpoints);
    await catchUpAll(runners);

    await builder.assign(LEAD, 'rep-b', t(4)); // sets the owner, not the score the poison event should have set
    await catchUpAll(runners);
    expect(runners.scoring.processor.quarantine.list(100)).toEqual([expectedQuarantine(poison)]);
    expect(checkpoints.db.prepare('SELECT owner_id FROM lead_scores WHERE lead_id = ?').pluck().get(LEAD)).toBe('rep-b');

    // The stored score is null, so the rescore appends a fresh ScoreChanged, which sets the whole score again.
    const rescored = await builder.rescore(LEAD, t(5));
    expect(rescored.events).toEqual(['ScoreChanged']);
    await catchUpAll(runners);
    expect(runners.scoring.processor.quarantine.list(100)).toEqual([]);
    expect(runners.scoring.processor.quarantine.count()).toBe(0);
    const state = await builder.leadState(LEAD);
    expect(checkpoints.db.prepare('SELECT total, fit, engagement FROM lead_scores WHERE lead_id = ?').get(LEAD)).toEqual(
      (state as { score: { total: number; fit: number; engagement: number } }).score,
    );
    // the failure stays in the record; the read models equal a rebuild, which quarantines and releases again
    expect(checkpoints.failures().map((f) => [f.eventId, f.action])).toEqual([[poison.eventId, 'quarantined']]);
    const rebuilt = await reference(store, 'quarantine');
    expect(dumpReadModels(checkpoints.db)).toEqual(rebuilt.tables);
    expect(rebuilt.failures.map((f) => [f.eventId, f.action])).toEqual([[poison.eventId, 'quarantined']]);

    checkpoints.close();
    await store.close();
  });

  it('holds a funnel lead through later events, which are applied on top, until a rebuild; flags it in its cohort', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const builder = new HistoryBuilder(store);
    await playJourneys(builder, { prefix: 'j', count: 6 });
    await builder.capture({ tenantId: 'globex', leadId: 'late', at: t(0), source: { channel: 'referral' } });
    // An activity whose time cannot be read: funnel and scoring both fail on it.
    const bad = rawLeadEvent('globex', 'EngagementRecorded', { leadId: 'late', activityType: 'webinar', points: 10, occurredAt: 'not-a-time' });
    const poison = await appendRaw(store, leadStreamId('late'), bad);
    await builder.disqualify('late', 'no_budget', t(3));
    const checkpoints = new SqliteCheckpointStore(':memory:');
    const runners = projectionRunners(store, checkpoints, 'quarantine', 7);
    await catchUpAll(runners);

    for (const name of ['funnel', 'scoring'] as const) {
      expect(runners[name].processor.quarantine.list(100)).toEqual([
        expect.objectContaining({ leadId: 'late', tenantId: 'globex', eventId: poison.eventId, type: 'EngagementRecorded', error: 'not an RFC 3339 business time: "not-a-time"' }),
      ]);
    }
    // the disqualification was applied on top: stage, visit and reason are there
    expect(checkpoints.db.prepare('SELECT stage FROM funnel_leads WHERE lead_id = ?').pluck().get('late')).toBe('disqualified');
    expect(checkpoints.db.prepare('SELECT reason FROM kpi_reasons WHERE lead_id = ?').pluck().get('late')).toBe('no_budget');
    expect(runners.kpi.processor.quarantine.count()).toBe(0);
    // counted in its tenant's cohort, and flagged as such
    const quarantines = [runners.funnel.processor.quarantine, runners.kpi.processor.quarantine];
    expect(countQuarantinedInCohort(checkpoints.db, quarantines, { tenantId: 'globex' })).toBe(1);
    expect(countQuarantinedInCohort(checkpoints.db, quarantines, { tenantId: 'globex', channel: 'web_form' })).toBe(0);
    expect(countQuarantinedInCohort(checkpoints.db, quarantines, { tenantId: 'acme' })).toBe(0);

    // A rebuild clears the quarantine and recomputes it: the event still cannot be read, so the lead is held again.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    await rebuildProjection(store, checkpoints, 'funnel');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`quarantined lead late at event ${poison.eventId}`));
    warn.mockRestore();
    expect(runners.funnel.processor.quarantine.list(100)).toEqual([expect.objectContaining({ leadId: 'late', eventId: poison.eventId })]);
    expect(checkpoints.failures('projection:funnel').map((f) => f.action)).toEqual(['quarantined']);
    checkpoints.close();
    await store.close();
  });

  it('parks an event that names no lead, and so does a processor that cannot quarantine (the reaction, the Kafka relay)', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const builder = new HistoryBuilder(store);
    await playJourneys(builder, { prefix: 'p', count: 4 });
    const anonymous = await appendRaw(store, 'lead-nobody', rawLeadEvent('acme', 'LeadAssigned', { ownerId: 'x', occurredAt: t(1) }));
    await playJourneys(builder, { prefix: 'q', count: 4, firstIndex: 4 });
    const checkpoints = new SqliteCheckpointStore(':memory:');
    const runners = projectionRunners(store, checkpoints);
    await catchUpAll(runners);
    const head = await store.headPosition();
    expect(atHead(checkpoints, head)).toBe(true);
    for (const name of ['funnel', 'scoring'] as const) {
      expect(checkpoints.failures(projectionCheckpointName(name)).map((f) => [f.eventId, f.action])).toEqual([[anonymous.eventId, 'parked']]);
      expect(runners[name].processor.quarantine.count()).toBe(0);
    }

    // A processor without quarantineLead, failing on one event of a lead: parked, the others handled.
    const handled: string[] = [];
    const poisonId = (await store.readAll({ maxCount: 30 }))[25].eventId;
    const relayLike: EventProcessor = {
      name: 'relay:test',
      handleBatch: async (events) => {
        if (events.some((e) => e.eventId === poisonId)) throw new Error('cannot map');
        handled.push(...events.map((e) => e.eventId));
      },
    };
    await new ProcessorRunner(store, checkpoints, relayLike, { batchSize: 50, poisonPolicy: 'quarantine', ...quiet }).catchUp();
    expect(checkpoints.failures('relay:test').map((f) => [f.eventId, f.action])).toEqual([[poisonId, 'parked']]);
    expect(checkpoints.load('relay:test')).toEqual(head);
    const all = await store.readAll({ maxCount: 100_000 });
    expect(handled).toEqual(all.map((e) => e.eventId).filter((id) => id !== poisonId));
    checkpoints.close();
    await store.close();
  });

  it("'stop' still stops before the poison event and 'park' still skips it, neither quarantines", async () => {
    const { store, poison } = await historyWithPoisonedLead();
    const stopped = new SqliteCheckpointStore(':memory:');
    const stopping = projectionRunners(store, stopped, 'stop');
    await expect(stopping.scoring.runner.catchUp()).rejects.toThrow(poison.eventId);
    expect(comparePositions(stopped.load('projection:scoring')!, poison.position)).toBeLessThan(0);
    expect(stopped.failures().map((f) => [f.eventId, f.action])).toEqual([[poison.eventId, 'stopped']]);
    expect(stopping.scoring.processor.quarantine.count()).toBe(0);

    const parked = new SqliteCheckpointStore(':memory:');
    const parking = projectionRunners(store, parked, 'park');
    await catchUpAll(parking);
    expect(atHead(parked, await store.headPosition())).toBe(true);
    expect(parked.failures().map((f) => [f.eventId, f.action])).toEqual([[poison.eventId, 'parked']]);
    expect(parking.scoring.processor.quarantine.count()).toBe(0);
    const withoutPoison = await reference(store, 'stop', (e) => e.eventId === poison.eventId);
    expect(dumpReadModels(parked.db)).toEqual(withoutPoison.tables);
    stopped.close();
    parked.close();
    await store.close();
  });
});

describe('the quarantine across restarts and crashes', () => {
  it('survives a restart: the next process lists the same lead, does not quarantine it twice, and releases it on a rescore', async () => {
    const dir = tempDir();
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    const { builder, poison } = await historyWithPoisonedLead(store);
    const file = join(dir, 'read-models.sqlite');
    const first = new SqliteCheckpointStore(file);
    await catchUpAll(projectionRunners(store, first));
    first.close();

    const second = new SqliteCheckpointStore(file);
    const runners = projectionRunners(store, second);
    expect(runners.scoring.processor.quarantine.list(100)).toEqual([expectedQuarantine(poison)]);
    await catchUpAll(runners);
    expect(second.failures().map((f) => [f.eventId, f.action])).toEqual([[poison.eventId, 'quarantined']]);
    await builder.rescore(LEAD, t(5));
    await catchUpAll(runners);
    expect(runners.scoring.processor.quarantine.count()).toBe(0);
    second.close();
    await store.close();
  });

  const crashes = [
    ["in the middle of the poison event's retries (nothing of the quarantine is committed)", 'poison', 3],
    ['right after the quarantine committed, in the next transaction', 'next', 1],
  ] as const;

  it.each(crashes)('a process killed (SIGKILL) %s: the next one ends exactly where a clean run does', async (_when, victim, k) => {
    const dir = tempDir();
    const eventsFile = join(dir, 'events.sqlite');
    const readModelsFile = join(dir, 'read-models.sqlite');
    const store = new SqliteEventStore({ filename: eventsFile });
    const { poison, next } = await historyWithPoisonedLead(store);
    const killAt = `${victim === 'poison' ? poison.eventId : next.eventId}:${k}`;

    const root = join(__dirname, '..', '..', '..');
    const child = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', join(__dirname, '..', '..', '..', 'test', 'support', 'projections', 'crash-child.ts'), eventsFile, readModelsFile, 'scoring', killAt, '50', 'quarantine'],
      { cwd: root, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' }, encoding: 'utf8', timeout: 60_000 },
    );
    expect({ signal: child.signal, stdout: child.stdout, stderr: child.stderr }).toEqual({ signal: 'SIGKILL', stdout: '', stderr: '' });

    const checkpoints = new SqliteCheckpointStore(readModelsFile);
    const runners = projectionRunners(store, checkpoints, 'quarantine', 33);
    const scoringAt = checkpoints.load('projection:scoring')!;
    if (victim === 'poison') {
      expect(comparePositions(scoringAt, poison.position)).toBeLessThan(0);
      expect(runners.scoring.processor.quarantine.count()).toBe(0);
      expect(checkpoints.failures()).toEqual([]);
    } else {
      expect(scoringAt).toEqual(poison.position);
      expect(runners.scoring.processor.quarantine.list(100)).toEqual([expectedQuarantine(poison)]);
      expect(checkpoints.failures().map((f) => [f.eventId, f.action])).toEqual([[poison.eventId, 'quarantined']]);
    }

    await catchUpAll(runners);
    const clean = await reference(store, 'quarantine');
    expect(dumpReadModels(checkpoints.db)).toEqual(clean.tables);
    expect(checkpointPositions(checkpoints.db)).toEqual(clean.checkpoints);
    expect(checkpoints.failures().map(({ at: _at, ...f }) => f)).toEqual(clean.failures);
    expect(runners.scoring.processor.quarantine.list(100)).toEqual([expectedQuarantine(poison)]);
    checkpoints.close();
    await store.close();
  });
});
