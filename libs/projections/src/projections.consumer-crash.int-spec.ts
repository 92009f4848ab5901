import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { EventConsumer, positionToString, ProcessorRunner, SqliteCheckpointStore, SqliteEventStore } from '@lead-lifecycle/eventing';
import { createProjections, PROJECTION_NAMES, rebuildProjection, rebuildProjections, SqliteProjectionProcessor } from '@lead-lifecycle/projections';
import { CountingEventStore } from '../../../test/support/counting-event-store';
import { FileOutboxProcessor } from '../../../test/support/consumer-crash-child';
import { HistoryBuilder } from '../../../test/support/projections/history-builder';
import { playJourneys } from '../../../test/support/projections/journeys';
import { checkpointPositions, dumpReadModels } from '../../../test/support/projections/read-model-dump';

jest.setTimeout(90_000);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('one consumer for every processor, killed (SIGKILL) between two processors of one batch', () => {
  it('resumes each processor from its own checkpoint: every read model equals a fold from scratch, the outbox lost nothing and doubled nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consumer-crash-'));
    dirs.push(dir);
    const eventsFile = join(dir, 'events.sqlite');
    const readModelsFile = join(dir, 'read-models.sqlite');
    const outboxFile = join(dir, 'outbox.txt');
    const store = new SqliteEventStore({ filename: eventsFile });
    await playJourneys(new HistoryBuilder(store), { prefix: 'k', count: 30 });
    const all = await store.readAll({ maxCount: 100_000 });
    const BATCH = 50;
    const KILL_AT_BATCH = 3;
    expect(all.length).toBeGreaterThan(BATCH * KILL_AT_BATCH);
    const outboxIds = (upTo: number) => all.slice(0, upTo).filter((e) => /^(lead|opportunity)-/.test(e.streamId)).map((e) => e.eventId);

    const root = join(__dirname, '..', '..', '..');
    const child = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', join(root, 'test', 'support', 'consumer-crash-child.ts'), eventsFile, readModelsFile, outboxFile, String(KILL_AT_BATCH), String(BATCH)],
      { cwd: root, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' }, encoding: 'utf8', timeout: 60_000 },
    );
    expect({ signal: child.signal, stdout: child.stdout, stderr: child.stderr }).toEqual({ signal: 'SIGKILL', stdout: '', stderr: '' });

    // Funnel had committed the third shared batch; scoring, kpi and the outbox were still at the second.
    const checkpoints = new SqliteCheckpointStore(readModelsFile);
    const atBatch = (k: number) => positionToString(all[k * BATCH - 1].position);
    expect(checkpointPositions(checkpoints.db)).toEqual({
      'projection:funnel': atBatch(KILL_AT_BATCH),
      'projection:kpi': atBatch(KILL_AT_BATCH - 1),
      'projection:scoring': atBatch(KILL_AT_BATCH - 1),
    });
    expect(positionToString(checkpoints.load('outbox:file')!)).toBe(atBatch(KILL_AT_BATCH - 1));
    expect(readFileSync(outboxFile, 'utf8').trim().split('\n')).toEqual(outboxIds((KILL_AT_BATCH - 1) * BATCH));

    // The next process: the same four processors on one consumer, live, from their own checkpoints.
    const consumer = new EventConsumer(store, { idleWaitMs: 20 });
    const projections = createProjections();
    const options = { batchSize: BATCH, poisonPolicy: 'stop' as const, log: () => undefined };
    const runners = [
      ...PROJECTION_NAMES.map((name) => new ProcessorRunner(store, checkpoints, new SqliteProjectionProcessor(checkpoints.db, projections[name]), options, consumer)),
      new ProcessorRunner(store, checkpoints, new FileOutboxProcessor(outboxFile), options, consumer),
    ];
    runners.forEach((r) => r.start());
    const head = await store.headPosition();
    for (const runner of runners) expect(await runner.waitFor(head, 30_000)).toBe(true);
    for (const runner of runners) await runner.stop();
    for (const runner of runners) expect(runner.status()).toMatchObject({ state: 'idle', stoppedReason: undefined });

    // Read models and checkpoints equal a fold from scratch (in one pass) in a fresh database.
    const fresh = new SqliteCheckpointStore(':memory:');
    await rebuildProjections(store, fresh, PROJECTION_NAMES, { poisonPolicy: 'stop' });
    expect(dumpReadModels(checkpoints.db)).toEqual(dumpReadModels(fresh.db));
    expect(checkpointPositions(checkpoints.db)).toEqual(checkpointPositions(fresh.db));
    // The outbox: every event once, in order (it died before it was handed the batch, so nothing is sent twice).
    expect(readFileSync(outboxFile, 'utf8').trim().split('\n')).toEqual(outboxIds(all.length));
    expect(checkpoints.failures()).toEqual([]);
    fresh.close();
    checkpoints.close();
    await store.close();
  });
});

describe('rebuildProjections', () => {
  it('refolds the three projections from one read of the log, to what three separate rebuilds give', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    await playJourneys(new HistoryBuilder(store), { prefix: 'r', count: 12 });
    const total = (await store.readAll({ maxCount: 100_000 })).length;
    const counting = new CountingEventStore(store);
    const together = new SqliteCheckpointStore(':memory:');
    const reports = await rebuildProjections(counting, together, PROJECTION_NAMES, { batchSize: 40 });
    expect(counting.eventsRead).toBe(total);
    expect(counting.readAllCalls).toBe(Math.ceil(total / 40) + 1);
    expect(counting.reads.every((r) => r.options.personalData === 'sealed')).toBe(true);
    expect(reports.map((r) => r.projection)).toEqual([...PROJECTION_NAMES]);

    const apart = new SqliteCheckpointStore(':memory:');
    for (const name of PROJECTION_NAMES) await rebuildProjection(store, apart, name);
    expect(dumpReadModels(together.db)).toEqual(dumpReadModels(apart.db));
    expect(checkpointPositions(together.db)).toEqual(checkpointPositions(apart.db));
    together.close();
    apart.close();
    await store.close();
  });
});
