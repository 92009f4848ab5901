import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLease, PostgresCheckpointStore, ProcessorRunner, SqliteCheckpointStore, SqliteEventStore } from '@lead-lifecycle/eventing';
import {
  createPostgresProjections,
  createProjections,
  migrateReadModels,
  PostgresProjectionProcessor,
  PostgresReadModelReader,
  PROJECTION_NAMES,
  rebuildPostgresProjections,
  SqliteProjectionProcessor,
  SqliteReadModelReader,
} from '@lead-lifecycle/projections';
import { freshDatabase, type FreshDatabase } from '../../../../test/support/postgres/fresh-database';
import { HistoryBuilder } from '../../../../test/support/projections/history-builder';
import { playJourneys } from '../../../../test/support/projections/journeys';

/**
 * `npm run projections:rebuild` with READ_MODELS=postgres: the shared read models are emptied and
 * refolded from position zero while a live runner (the folding instance of a fleet) goes on folding new
 * events into the same tables. Afterwards every answer equals a fold of the whole log into SQLite: no
 * event lost, none counted twice. Needs the local PostgreSQL server: fails loudly when it cannot connect.
 */
jest.setTimeout(180_000);

const TENANTS = ['acme', 'globex'];
const KPI_OPTIONS = { touchTypes: ['demo_request', 'meeting_booked', 'email_click'] };

describe('rebuilding the PostgreSQL read models while an instance folds them', () => {
  let dir: string;
  let store: SqliteEventStore;
  let pg: FreshDatabase;
  let failures: SqliteCheckpointStore;
  /** Stops the live runners (in afterAll too: a failed test must not leave them holding the pool). */
  let stopLive = async (): Promise<void> => undefined;

  beforeAll(async () => {
    pg = await freshDatabase('ll_rebuild');
    await migrateReadModels(pg.pool);
    dir = mkdtempSync(join(tmpdir(), 'pg-rebuild-'));
    store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), durability: 'normal' });
    failures = new SqliteCheckpointStore(join(dir, 'failures.sqlite'));
  });
  afterAll(async () => {
    await stopLive();
    await store?.close();
    failures?.close();
    await pg?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refolds from zero beside the live fold: the answers equal a fold of the whole log', async () => {
    const builder = new HistoryBuilder(store);
    await playJourneys(builder, { prefix: 'A', count: 30, tenants: TENANTS });

    // The fleet's folding instance: live runners on the shared tables and checkpoints.
    const shared = await PostgresCheckpointStore.open(pg.pool, new LocalLease('live'), failures);
    const projections = createPostgresProjections();
    const live = PROJECTION_NAMES.map(
      (name) => new ProcessorRunner(store, shared, new PostgresProjectionProcessor(pg.pool, projections[name]), { batchSize: 5, poisonPolicy: 'quarantine', idleWaitMs: 20, log: () => undefined }),
    );
    const reader = new PostgresReadModelReader(pg.pool);
    const caughtUp = async () => {
      const head = await store.headPosition();
      for (let i = 0; i < 600; i++) {
        const positions = await Promise.all(PROJECTION_NAMES.map((name) => reader.checkpoint(name)));
        if (positions.every((p) => p && p.commit === head.commit)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the live runners did not reach the head');
    };
    for (const runner of live) runner.start();
    stopLive = async () => {
      for (const runner of live) await runner.stop();
    };
    await caughtUp();
    // The rows drift (a changed fold would, after a deploy): the rebuild must not keep any of them.
    await pg.pool.query("UPDATE lead_scores SET total = total + 1000");
    await pg.pool.query('DELETE FROM funnel_leads WHERE lead_id IN (SELECT lead_id FROM funnel_leads LIMIT 5)');

    // The rebuild, with new events written while it runs and the live runners still folding.
    const writing = playJourneys(builder, { prefix: 'B', count: 20, tenants: TENANTS, start: '2026-03-10T00:00:00.000Z' });
    const reports = await rebuildPostgresProjections(store, pg.pool, PROJECTION_NAMES, { batchSize: 7 });
    await writing;
    // Which of the two folded which events is a race (the live runners see the reset at their next batch
    // and may refold most of it themselves); that every event counts once is what the answers show.
    expect(reports.map((r) => r.projection)).toEqual([...PROJECTION_NAMES]);
    await caughtUp();
    await stopLive();

    // The reference: the same log folded once into the embedded read models.
    const checkpoints = new SqliteCheckpointStore(join(dir, 'read-models.sqlite'));
    const sqliteProjections = createProjections();
    const processors = Object.fromEntries(PROJECTION_NAMES.map((name) => [name, new SqliteProjectionProcessor(checkpoints.db, sqliteProjections[name])]));
    for (const name of PROJECTION_NAMES) await new ProcessorRunner(store, checkpoints, processors[name], { poisonPolicy: 'quarantine', log: () => undefined }).catchUp();
    const sqlite = new SqliteReadModelReader(checkpoints.db, (name) => processors[name].quarantine);
    const sameAsReference = async () => {
      for (const tenantId of TENANTS) {
        expect(await reader.funnel({ tenantId, groupBy: 'channel' })).toEqual(await sqlite.funnel({ tenantId, groupBy: 'channel' }));
        expect(await reader.kpis({ tenantId }, KPI_OPTIONS)).toEqual(await sqlite.kpis({ tenantId }, KPI_OPTIONS));
        expect(await reader.leadList({ tenantId, limit: 500 })).toEqual(await sqlite.leadList({ tenantId, limit: 500 }));
      }
      const leads = await pg.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM funnel_leads');
      expect(leads.rows[0].n).toBe(50);
    };
    try {
      await sameAsReference();
      // Alone (no instance folding): the rebuild refolds every event itself, to the head.
      await pg.pool.query('UPDATE lead_scores SET total = total + 1000');
      const alone = await rebuildPostgresProjections(store, pg.pool, PROJECTION_NAMES, { batchSize: 7 });
      const head = await store.headPosition();
      for (const report of alone) {
        expect({ projection: report.projection, position: report.position }).toEqual({ projection: report.projection, position: String(head.commit) });
        expect(report.events).toBeGreaterThan(0);
      }
      await sameAsReference();
    } finally {
      checkpoints.close();
    }
  });
});
