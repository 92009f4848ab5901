import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { LEAD_STREAM_PREFIX, type QualifiedAsMQL } from '@lead-lifecycle/domain';
import {
  comparePositions,
  type EventStore,
  positionFromString,
  positionToString,
  type ReadAllOptions,
  SqliteEventStore,
  type StoredEvent,
} from '@lead-lifecycle/eventing';
import { toNewEvents } from '@lead-lifecycle/lifecycle';
import { type PoisonPolicy, ProcessorRunner, SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import {
  createProjections,
  PROJECTION_NAMES,
  type ProjectionName,
  projectionCheckpointName,
  queryFunnel,
  rebuildProjection,
  type SqliteProjection,
  SqliteProjectionProcessor,
} from '@lead-lifecycle/projections';
import { HistoryBuilder } from '../../../test/support/projections/history-builder';
import { playJourneys } from '../../../test/support/projections/journeys';
import { checkpointPositions, dumpReadModels, TruncatedStore } from '../../../test/support/projections/read-model-dump';

jest.setTimeout(60_000);

const quiet = { log: () => undefined };
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'projections-crash-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The read models a clean rebuild of every projection gives, in a fresh database. */
async function cleanRebuild(store: EventStore, poisonPolicy: PoisonPolicy = 'stop') {
  const fresh = new SqliteCheckpointStore(':memory:');
  try {
    for (const name of PROJECTION_NAMES) await rebuildProjection(store, fresh, name, { poisonPolicy });
    return { tables: dumpReadModels(fresh.db), checkpoints: checkpointPositions(fresh.db) };
  } finally {
    fresh.close();
  }
}

/** A projection that throws once, on its Nth apply, with the given error (after doing nothing of its own). */
class FailOnce implements SqliteProjection {
  readonly name: string;
  readonly streamPrefixes: readonly string[];
  readonly tables: readonly string[];
  applied = 0;
  thrown = false;
  /** How many events the failing transaction had applied before the failure. */
  appliedInFailedTransaction = -1;
  private appliedSinceTransactionStart = 0;
  private inTransaction = false;

  constructor(
    private readonly inner: SqliteProjection,
    private readonly failAt: number,
    private readonly error: () => Error,
  ) {
    this.name = inner.name;
    this.streamPrefixes = inner.streamPrefixes;
    this.tables = inner.tables;
  }

  createTables(db: Database.Database): void {
    this.inner.createTables(db);
  }

  apply(db: Database.Database, event: StoredEvent): void {
    if (!this.inTransaction) {
      this.inTransaction = true;
      this.appliedSinceTransactionStart = 0;
      queueMicrotask(() => (this.inTransaction = false)); // handleBatch's transaction is synchronous
    }
    this.applied++;
    if (!this.thrown && this.applied === this.failAt) {
      this.thrown = true;
      this.appliedInFailedTransaction = this.appliedSinceTransactionStart;
      throw this.error();
    }
    this.inner.apply(db, event);
    this.appliedSinceTransactionStart++;
  }
}

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function waitForHead(store: EventStore, runners: ProcessorRunner[]): Promise<void> {
  const head = await store.headPosition();
  for (const runner of runners) expect(await runner.waitFor(head, 15_000)).toBe(true);
}

describe('a projection that fails in the middle of a batch', () => {
  it('rolls the whole batch back and refolds it event by event: nothing skipped, nothing counted twice', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const checkpoints = new SqliteCheckpointStore(':memory:');
    await playJourneys(new HistoryBuilder(store), { prefix: 'lead', count: 18 });
    const projections = createProjections();
    // Each projection fails once, well inside its first (and only) batch of 500 events.
    const flaky = {
      funnel: new FailOnce(projections.funnel, 37, () => new Error('simulated crash in funnel')),
      scoring: new FailOnce(projections.scoring, 101, () => new Error('simulated crash in scoring')),
      kpi: new FailOnce(projections.kpi, 150, () => new Error('simulated crash in kpi')),
    };
    const runners = PROJECTION_NAMES.map(
      (name) => new ProcessorRunner(store, checkpoints, new SqliteProjectionProcessor(checkpoints.db, flaky[name]), { batchSize: 500, ...quiet }),
    );
    for (const runner of runners) await runner.catchUp();

    for (const name of PROJECTION_NAMES) {
      expect(flaky[name].thrown).toBe(true);
      // the failure came after other events of the same transaction had been applied
      expect(flaky[name].appliedInFailedTransaction).toBe({ funnel: 36, scoring: 100, kpi: 149 }[name]);
    }
    expect(checkpoints.failures()).toEqual([]);
    const clean = await cleanRebuild(store);
    expect(dumpReadModels(checkpoints.db)).toEqual(clean.tables);
    expect(checkpointPositions(checkpoints.db)).toEqual(clean.checkpoints);
    await store.close();
    checkpoints.close();
  });

  it('after a retryable failure mid-batch while events keep arriving, resumes from the stored checkpoint', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const checkpoints = new SqliteCheckpointStore(':memory:');
    const builder = new HistoryBuilder(store);
    await playJourneys(builder, { prefix: 'early', count: 6 });
    const projections = createProjections();
    const transient = () => Object.assign(new Error('database is locked (simulated)'), { retryable: true });
    const flaky = {
      funnel: new FailOnce(projections.funnel, 40, transient),
      scoring: new FailOnce(projections.scoring, 90, transient),
      kpi: new FailOnce(projections.kpi, 130, transient),
    };
    const runners = PROJECTION_NAMES.map(
      (name) =>
        new ProcessorRunner(store, checkpoints, new SqliteProjectionProcessor(checkpoints.db, flaky[name]), { batchSize: 17, idleWaitMs: 20, ...quiet }),
    );
    runners.forEach((r) => r.start());
    await playJourneys(builder, { prefix: 'late', count: 18 });
    await waitForHead(store, runners);
    await Promise.all(runners.map((r) => r.stop()));

    for (const [i, name] of PROJECTION_NAMES.entries()) {
      expect(flaky[name].thrown).toBe(true);
      expect(runners[i].status()).toMatchObject({ state: 'idle', lastError: 'database is locked (simulated)' });
    }
    expect(checkpoints.failures()).toEqual([]);
    const clean = await cleanRebuild(store);
    expect(dumpReadModels(checkpoints.db)).toEqual(clean.tables);
    expect(checkpointPositions(checkpoints.db)).toEqual(clean.checkpoints);
    await store.close();
    checkpoints.close();
  });
});

describe('a restart: the read-model database is closed mid-stream and reopened by a new process', () => {
  it('resumes from the durable checkpoints, whose read models hold exactly the events up to them', async () => {
    const dir = tempDir();
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), durability: 'normal' });
    const builder = new HistoryBuilder(store);
    const file = join(dir, 'read-models.sqlite');

    // Process 1 follows the store while the history is written, and dies halfway.
    const first = new SqliteCheckpointStore(file);
    const projections1 = createProjections();
    const runners1 = PROJECTION_NAMES.map(
      (name, i) =>
        new ProcessorRunner(store, first, new SqliteProjectionProcessor(first.db, projections1[name]), { batchSize: [3, 8, 13][i], idleWaitMs: 10, ...quiet }),
    );
    runners1.forEach((r) => r.start());
    await playJourneys(builder, { prefix: 'a', count: 12 });
    // Let the runners get somewhere, but not necessarily to the head, then pull the database away.
    await new Promise((resolve) => setTimeout(resolve, 15));
    first.close();
    await playJourneys(builder, { prefix: 'b', count: 6, firstIndex: 12 }); // written while no projection runs
    await Promise.all(runners1.map((r) => r.stop()));

    // Process 2 opens the same file: each read model holds exactly the events up to its checkpoint.
    const second = new SqliteCheckpointStore(file);
    const head = await store.headPosition();
    const reopened = checkpointPositions(second.db);
    for (const name of PROJECTION_NAMES) {
      const at = reopened[projectionCheckpointName(name)];
      expect(at).toBeDefined();
      expect(comparePositions(positionFromString(at), head)).toBeLessThan(0);
      const upTo = new SqliteCheckpointStore(':memory:');
      await rebuildProjection(new TruncatedStore(store, positionFromString(at)), upTo, name);
      const tables = createProjections()[name].tables;
      expect(dumpReadModels(second.db, tables)).toEqual(dumpReadModels(upTo.db, tables));
      upTo.close();
    }

    // ... and resumes from there while the rest of the history is written.
    const projections2 = createProjections();
    const runners2 = PROJECTION_NAMES.map(
      (name) => new ProcessorRunner(store, second, new SqliteProjectionProcessor(second.db, projections2[name]), { batchSize: 10, idleWaitMs: 10, ...quiet }),
    );
    runners2.forEach((r) => r.start());
    await playJourneys(builder, { prefix: 'c', count: 6, firstIndex: 18 });
    await waitForHead(store, runners2);
    await Promise.all(runners2.map((r) => r.stop()));

    const clean = await cleanRebuild(store);
    expect(dumpReadModels(second.db)).toEqual(clean.tables);
    expect(checkpointPositions(second.db)).toEqual(clean.checkpoints);
    expect(second.failures()).toEqual([]);
    second.close();
    await store.close();
  });
});

describe('a process killed (SIGKILL) in the middle of a read-model transaction', () => {
  it('loses only the uncommitted batch, and the next process resumes from the last commit', async () => {
    const dir = tempDir();
    const eventsFile = join(dir, 'events.sqlite');
    const readModelsFile = join(dir, 'read-models.sqlite');
    const store = new SqliteEventStore({ filename: eventsFile });
    await playJourneys(new HistoryBuilder(store), { prefix: 'k', count: 18 });
    const head = await store.headPosition();
    const all = await store.readAll({ maxCount: 100_000 });

    // The child folds funnel, then scoring in batches of 50 store events, and dies on scoring's 120th
    // apply. Precondition: that apply is not the first of its batch, so the transaction that dies has
    // already applied other events.
    const BATCH = 50;
    const KILL_AT = 120;
    const leadEvents = all.filter((e) => e.streamId.startsWith(LEAD_STREAM_PREFIX));
    const victim = leadEvents[KILL_AT - 1];
    const batchOf = (e: StoredEvent) => Math.floor(all.indexOf(e) / BATCH);
    expect(batchOf(leadEvents[KILL_AT - 2])).toBe(batchOf(victim));
    const lastCommitted = all[batchOf(victim) * BATCH - 1].position;

    const root = join(__dirname, '..', '..', '..');
    const child = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', join(__dirname, '..', '..', '..', 'test', 'support', 'projections', 'crash-child.ts'), eventsFile, readModelsFile, 'scoring', String(KILL_AT), String(BATCH)],
      { cwd: root, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' }, encoding: 'utf8', timeout: 60_000 },
    );
    expect({ signal: child.signal, stdout: child.stdout, stderr: child.stderr }).toEqual({ signal: 'SIGKILL', stdout: '', stderr: '' });

    // The next process opens the file: funnel was done, scoring is at its last committed batch, kpi never started.
    const checkpoints = new SqliteCheckpointStore(readModelsFile);
    expect(checkpointPositions(checkpoints.db)).toEqual({
      'projection:funnel': positionToString(head),
      'projection:scoring': positionToString(lastCommitted),
    });
    // The scoring rows are exactly those of the events up to that checkpoint: the dead transaction left nothing.
    const upTo = new SqliteCheckpointStore(':memory:');
    await rebuildProjection(new TruncatedStore(store, lastCommitted), upTo, 'scoring');
    expect(dumpReadModels(checkpoints.db, ['lead_scores'])).toEqual(dumpReadModels(upTo.db, ['lead_scores']));
    upTo.close();

    // ... and resumes: the result is that of a clean rebuild.
    const projections = createProjections();
    for (const name of PROJECTION_NAMES) {
      await new ProcessorRunner(store, checkpoints, new SqliteProjectionProcessor(checkpoints.db, projections[name]), { batchSize: 33, ...quiet }).catchUp();
    }
    const clean = await cleanRebuild(store);
    expect(dumpReadModels(checkpoints.db)).toEqual(clean.tables);
    expect(checkpointPositions(checkpoints.db)).toEqual(clean.checkpoints);
    checkpoints.close();
    await store.close();
  });
});

describe('poison events', () => {
  /** A history with a QualifiedAsMQL on a lead stream that has no LeadCaptured in the middle of it. */
  async function historyWithPoison() {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const builder = new HistoryBuilder(store);
    await playJourneys(builder, { prefix: 'before', count: 5 });
    const poisonId = randomUUID();
    const poison: QualifiedAsMQL = { type: 'QualifiedAsMQL', data: { leadId: 'ghost', score: 80, threshold: 50, occurredAt: '2026-02-10T00:00:00.000Z' } };
    const [poisonEvent] = toNewEvents(
      [poison],
      { tenantId: 'acme', actor: 'test', correlationId: randomUUID(), causationId: randomUUID() },
    );
    const appended = await store.appendToStream('lead-ghost', [{ ...poisonEvent, eventId: poisonId }], 'no_stream');
    await playJourneys(builder, { prefix: 'after', count: 5, firstIndex: 5 });
    return { store, poisonId, poisonPosition: appended.position };
  }

  it("with 'stop', stops before the poison event, names it, records the failure and keeps what came before", async () => {
    const { store, poisonId, poisonPosition } = await historyWithPoison();
    const checkpoints = new SqliteCheckpointStore(':memory:');
    const runner = new ProcessorRunner(store, checkpoints, new SqliteProjectionProcessor(checkpoints.db, createProjections().funnel), {
      batchSize: 200, // the poison sits in the middle of the first batch
      poisonPolicy: 'stop',
      idleWaitMs: 10,
      ...quiet,
    });
    runner.start();
    await waitUntil(() => runner.status().state === 'stopped');
    const status = runner.status();
    expect(status.stoppedReason).toContain(poisonId);
    expect(status.stoppedReason).toContain('QualifiedAsMQL');
    expect(status.stoppedReason).toContain(`at position ${positionToString(poisonPosition)}`);
    expect(status.stoppedReason).toContain('never captured');

    expect(checkpoints.failures()).toEqual([
      {
        processor: 'projection:funnel',
        position: positionToString(poisonPosition),
        eventId: poisonId,
        eventType: 'QualifiedAsMQL',
        error: expect.stringContaining('ghost'),
        action: 'stopped',
        at: expect.any(String),
      },
    ]);
    expect(checkpoints.failures('projection:scoring')).toEqual([]);

    // The checkpoint does not pass the poison event, and the events before it (in the same batch) are kept.
    const checkpoint = checkpoints.load('projection:funnel')!;
    expect(comparePositions(checkpoint, poisonPosition)).toBeLessThan(0);
    const lastLeadEventBefore = (await store.readAll({ maxCount: 10_000 }))
      .filter((e) => e.streamId.startsWith(LEAD_STREAM_PREFIX) && comparePositions(e.position, poisonPosition) < 0)
      .pop()!;
    expect(checkpoint).toEqual(lastLeadEventBefore.position);
    const before = new SqliteCheckpointStore(':memory:');
    await rebuildProjection(new TruncatedStore(store, { commit: poisonPosition.commit - 1n, prepare: poisonPosition.prepare - 1n }), before, 'funnel');
    expect(dumpReadModels(checkpoints.db)).toEqual(dumpReadModels(before.db));

    // A restart (a new runner on the same checkpoints) stops at the same event again; nothing after it is applied.
    const restarted = new ProcessorRunner(store, checkpoints, new SqliteProjectionProcessor(checkpoints.db, createProjections().funnel), {
      batchSize: 7,
      poisonPolicy: 'stop',
      ...quiet,
    });
    restarted.start();
    await waitUntil(() => restarted.status().state === 'stopped');
    expect(restarted.status().stoppedReason).toContain(poisonId);
    expect(checkpoints.load('projection:funnel')).toEqual(checkpoint);
    expect(queryFunnel(checkpoints.db, { tenantId: 'acme' })).toEqual(queryFunnel(before.db, { tenantId: 'acme' }));
    expect(checkpoints.failures('projection:funnel').map((f) => f.action)).toEqual(['stopped', 'stopped']);

    // A projection that does not read the poison (kpi ignores QualifiedAsMQL) goes past it.
    const kpi = new ProcessorRunner(store, checkpoints, new SqliteProjectionProcessor(checkpoints.db, createProjections().kpi), { poisonPolicy: 'stop', ...quiet });
    await kpi.catchUp();
    expect(checkpoints.load('projection:kpi')).toEqual(await store.headPosition());

    before.close();
    checkpoints.close();
    await store.close();
  });

  it("with 'stop', reports the position it really reached (the events before the poison were committed)", async () => {
    const { store, poisonPosition } = await historyWithPoison();
    const checkpoints = new SqliteCheckpointStore(':memory:');
    const runner = new ProcessorRunner(store, checkpoints, new SqliteProjectionProcessor(checkpoints.db, createProjections().funnel), {
      batchSize: 200,
      poisonPolicy: 'stop',
      ...quiet,
    });
    runner.start();
    await waitUntil(() => runner.status().state === 'stopped');
    const durable = checkpoints.load('projection:funnel')!;
    expect(comparePositions(durable, poisonPosition)).toBeLessThan(0);
    // The status (GET /v1/projections, waitFor for read-your-writes) should agree with the durable checkpoint.
    expect(positionToString(runner.status().position)).toBe(positionToString(durable));
    // so a reader waiting for a position the read model already holds is answered at once
    expect(await runner.waitFor(durable, 50)).toBe(true);
    checkpoints.close();
    await store.close();
  });

  it("with 'park', records the poison event as parked, skips it and processes what follows", async () => {
    const { store, poisonId, poisonPosition } = await historyWithPoison();
    const checkpoints = new SqliteCheckpointStore(':memory:');
    const runners = (['funnel', 'scoring'] as ProjectionName[]).map(
      (name) =>
        new ProcessorRunner(store, checkpoints, new SqliteProjectionProcessor(checkpoints.db, createProjections()[name]), {
          batchSize: 200,
          poisonPolicy: 'park',
          idleWaitMs: 10,
          ...quiet,
        }),
    );
    runners.forEach((r) => r.start());
    await waitForHead(store, runners);
    await Promise.all(runners.map((r) => r.stop()));
    for (const runner of runners) expect(runner.status().state).toBe('idle');

    for (const processor of ['projection:funnel', 'projection:scoring']) {
      expect(checkpoints.failures(processor)).toEqual([
        { processor, position: positionToString(poisonPosition), eventId: poisonId, eventType: 'QualifiedAsMQL', error: expect.stringContaining('ghost'), action: 'parked', at: expect.any(String) },
      ]);
    }
    const head = await store.headPosition();
    expect(checkpoints.load('projection:funnel')).toEqual(head);
    expect(checkpoints.load('projection:scoring')).toEqual(head);

    // The read models are those of every event but the poison one.
    const withoutPoison = new SqliteCheckpointStore(':memory:');
    const skipPoison = new TruncatedStore(store, head, (e) => e.eventId === poisonId);
    await rebuildProjection(skipPoison, withoutPoison, 'funnel');
    await rebuildProjection(skipPoison, withoutPoison, 'scoring');
    expect(dumpReadModels(checkpoints.db)).toEqual(dumpReadModels(withoutPoison.db));
    // events after the poison were applied: the leads captured after it are there
    expect(checkpoints.db.prepare(`SELECT count(*) FROM funnel_leads WHERE lead_id LIKE 'after%'`).pluck().get()).toBe(5);
    expect(checkpoints.db.prepare(`SELECT count(*) FROM funnel_leads WHERE lead_id = 'ghost'`).pluck().get()).toBe(0);

    // A rebuild with 'park' gives the same read model and records the parked event once more (its own run).
    const rebuilt = new SqliteCheckpointStore(':memory:');
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    await rebuildProjection(store, rebuilt, 'funnel', { poisonPolicy: 'park' });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`parked event ${poisonId}`));
    warn.mockRestore();
    expect(dumpReadModels(rebuilt.db, ['funnel_leads', 'funnel_stage_visits'])).toEqual(dumpReadModels(checkpoints.db, ['funnel_leads', 'funnel_stage_visits']));
    expect(rebuilt.failures().map((f) => [f.eventId, f.action])).toEqual([[poisonId, 'parked']]);
    // A rebuild with 'stop' refuses to go past it.
    await expect(rebuildProjection(store, rebuilt, 'funnel', { poisonPolicy: 'stop' })).rejects.toThrow(poisonId);

    withoutPoison.close();
    rebuilt.close();
    checkpoints.close();
    await store.close();
  });
});

describe('a rebuild by a second process while the live runner keeps running', () => {
  /** Another process's view of the same store file, whose reads take `delayMs` (a slow disk, a big batch). */
  class SlowReads extends SqliteEventStore {
    delayMs = 3;
    override async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      return super.readAll(options);
    }
  }

  /** Process 1 (the API): appends through `builder` and projects `name` live into `readModelsFile`. */
  async function startApi(dir: string, name: ProjectionName) {
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), durability: 'normal' });
    const builder = new HistoryBuilder(store);
    await playJourneys(builder, { prefix: 'a', count: 12 });
    const checkpoints = new SqliteCheckpointStore(join(dir, 'read-models.sqlite'));
    const live = new ProcessorRunner(store, checkpoints, new SqliteProjectionProcessor(checkpoints.db, createProjections()[name]), {
      batchSize: 5,
      idleWaitMs: 5,
      ...quiet,
    });
    live.start();
    await waitForHead(store, [live]);
    return { store, builder, checkpoints, live };
  }

  /** Waits until the durable checkpoint of `name` is at the head of the store. */
  async function checkpointAtHead(store: EventStore, checkpoints: SqliteCheckpointStore, name: ProjectionName) {
    const head = await store.headPosition();
    await waitUntil(() => {
      const at = checkpoints.load(projectionCheckpointName(name));
      return at !== undefined && comparePositions(at, head) === 0;
    }, 20_000);
  }

  it.each(PROJECTION_NAMES)('%s: leaves the read model equal to a clean rebuild', async (name) => {
    const dir = tempDir();
    const api = await startApi(dir, name);
    // Process 2 (`npm run projections:rebuild`), on its own connections to both files, in small batches,
    // while process 1 keeps appending and projecting.
    const store2 = new SlowReads({ filename: join(dir, 'events.sqlite'), durability: 'normal' });
    const checkpoints2 = new SqliteCheckpointStore(join(dir, 'read-models.sqlite'));
    try {
      const rebuilding = rebuildProjection(store2, checkpoints2, name, { batchSize: 4 });
      const appending = playJourneys(api.builder, { prefix: 'b', count: 12, firstIndex: 12 });
      await Promise.allSettled([rebuilding, appending]);
      await appending;
      await checkpointAtHead(api.store, api.checkpoints, name);
      await api.live.stop();

      const clean = await cleanRebuild(api.store);
      const tables = createProjections()[name].tables;
      expect(dumpReadModels(api.checkpoints.db, tables)).toEqual(Object.fromEntries(tables.map((t) => [t, clean.tables[t]])));
      expect(checkpointPositions(api.checkpoints.db)).toEqual({ [projectionCheckpointName(name)]: clean.checkpoints[projectionCheckpointName(name)] });
      expect(api.checkpoints.failures()).toEqual([]);
      expect(api.live.status().stoppedReason).toBeUndefined();
    } finally {
      await api.live.stop();
      checkpoints2.close();
      await store2.close();
      api.checkpoints.close();
      await api.store.close();
    }
  });

  it('the rebuild command itself ends well when the live runner moves the checkpoint between its batches', async () => {
    // The rebuild's reads are slower than the live runner's retry backoff (50 ms): after the reset, the
    // live runner resumes from the rebuild's checkpoint and commits batches while the rebuild waits for
    // its next read, so the rebuild's next batch meets a moved checkpoint (CheckpointMovedError).
    const dir = tempDir();
    const api = await startApi(dir, 'funnel');
    const store2 = new SlowReads({ filename: join(dir, 'events.sqlite'), durability: 'normal' });
    store2.delayMs = 150;
    const checkpoints2 = new SqliteCheckpointStore(join(dir, 'read-models.sqlite'));
    try {
      const rebuilding = Promise.allSettled([rebuildProjection(store2, checkpoints2, 'funnel', { batchSize: 40 })]);
      await playJourneys(api.builder, { prefix: 'b', count: 12, firstIndex: 12 });
      const [rebuild] = await rebuilding;
      await checkpointAtHead(api.store, api.checkpoints, 'funnel');
      await api.live.stop();
      // whatever the rebuild reports, the read model is exact
      const clean = await cleanRebuild(api.store);
      expect(dumpReadModels(api.checkpoints.db, ['funnel_leads', 'funnel_stage_visits'])).toEqual({
        funnel_leads: clean.tables.funnel_leads,
        funnel_stage_visits: clean.tables.funnel_stage_visits,
      });
      // ... and `npm run projections:rebuild` should not exit 1 because the live API took over from it.
      expect(rebuild.status === 'rejected' ? String((rebuild).reason) : 'fulfilled').toBe('fulfilled');
    } finally {
      await api.live.stop();
      checkpoints2.close();
      await store2.close();
      api.checkpoints.close();
      await api.store.close();
    }
  });

  it('a reader waiting for a position is answered when the live runner jumps to it through the checkpoint moved by the rebuild', async () => {
    const dir = tempDir();
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), durability: 'normal' });
    const builder = new HistoryBuilder(store);
    await playJourneys(builder, { prefix: 'a', count: 6 });
    const checkpoints = new SqliteCheckpointStore(join(dir, 'read-models.sqlite'));
    const inner = new SqliteProjectionProcessor(checkpoints.db, createProjections().funnel);
    // A gate in front of the live processor, to order the race: the live runner has read its next batch
    // when the rebuild runs, and commits only after it.
    let gate: Promise<void> = Promise.resolve();
    let openGate = () => undefined as void;
    const gated = {
      name: inner.name,
      streamPrefixes: inner.streamPrefixes,
      commitsCheckpoint: true,
      handleBatch: async (...args: Parameters<SqliteProjectionProcessor['handleBatch']>) => {
        await gate;
        return inner.handleBatch(...args);
      },
    };
    const live = new ProcessorRunner(store, checkpoints, gated, { batchSize: 1000, idleWaitMs: 5, ...quiet });
    try {
      live.start();
      await waitForHead(store, [live]);

      gate = new Promise((resolve) => (openGate = resolve));
      await playJourneys(builder, { prefix: 'b', count: 2, firstIndex: 6 }); // the live runner reads them and waits at the gate
      const written = await store.headPosition();
      const reader = live.waitFor(written, 3_000); // a query that wants to read its own write

      const second = new SqliteCheckpointStore(join(dir, 'read-models.sqlite'));
      await rebuildProjection(store, second, 'funnel'); // the second process refolds everything, up to `written`
      second.close();
      openGate(); // the live batch meets the moved checkpoint and the runner resumes from it, at `written`

      await waitUntil(() => comparePositions(live.status().position, written) === 0);
      expect(await reader).toBe(true);
    } finally {
      openGate();
      await live.stop();
      checkpoints.close();
      await store.close();
    }
  });
});
