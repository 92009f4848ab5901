import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckpointMovedError,
  FencedCheckpointError,
  type Lease,
  LocalLease,
  PostgresCheckpointStore,
  ProcessorRunner,
  SqliteCheckpointStore,
  SqliteEventStore,
  START_POSITION,
  type StoredEvent,
} from '@lead-lifecycle/eventing';
import {
  createPostgresProjections,
  createProjections,
  FunnelPostgresProjection,
  type LeadListQuery,
  migrateReadModels,
  PostgresProjectionProcessor,
  PostgresReadModelReader,
  PROJECTION_NAMES,
  SqliteProjectionProcessor,
  SqliteReadModelReader,
} from '@lead-lifecycle/projections';
import { freshDatabase, type FreshDatabase } from '../../../../test/support/postgres/fresh-database';
import { HistoryBuilder } from '../../../../test/support/projections/history-builder';
import { playJourneys } from '../../../../test/support/projections/journeys';
import { rawLeadEvent } from '../../../../test/support/raw-lead-event';

/**
 * The same event log folded into the embedded SQLite read models and into the PostgreSQL ones
 * (READ_MODELS=postgres), through the real runner with small batches: every answer of the read side
 * (funnel, lead list with its pages, KPIs, time in stage, quarantine) must be equal. Needs the local
 * PostgreSQL server: it fails loudly when it cannot connect.
 */

jest.setTimeout(120_000);

const TENANTS = ['acme', 'globex', 'initech'];
// email_click is a touch here: the journeys' assigned cold leads are clicked after their assignment, so speed to lead is measured.
const KPI_OPTIONS = { touchTypes: ['demo_request', 'meeting_booked', 'email_click'] };

let dir: string;
let store: SqliteEventStore;
let checkpoints: SqliteCheckpointStore;
let pg: FreshDatabase;
let sqlite: SqliteReadModelReader;
let postgres: PostgresReadModelReader;
let poisonLead: string;

beforeAll(async () => {
  pg = await freshDatabase('ll_read_models');
  await migrateReadModels(pg.pool);
  dir = mkdtempSync(join(tmpdir(), 'pg-read-models-'));
  store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), durability: 'normal' });
  const builder = new HistoryBuilder(store);
  await playJourneys(builder, { prefix: 'L', count: 48, tenants: TENANTS });
  // A poison event (a score that no projection can apply) for a lead: quarantined alike in both stores.
  poisonLead = 'L7';
  await store.appendToStream(`lead-${poisonLead}`, [
    rawLeadEvent(TENANTS[7 % TENANTS.length], 'EngagementRecorded', { leadId: poisonLead, activityType: 'webinar', points: 10, occurredAt: 'not-a-time' }),
  ]);
  await playJourneys(builder, { prefix: 'M', count: 12, tenants: TENANTS, start: '2026-03-10T00:00:00.000Z' });

  checkpoints = new SqliteCheckpointStore(join(dir, 'read-models.sqlite'));
  const sqliteProjections = createProjections();
  const postgresProjections = createPostgresProjections();
  const shared = await PostgresCheckpointStore.open(pg.pool, new LocalLease('test'), checkpoints);
  const sqliteProcessors = Object.fromEntries(PROJECTION_NAMES.map((name) => [name, new SqliteProjectionProcessor(checkpoints.db, sqliteProjections[name])]));
  for (const name of PROJECTION_NAMES) {
    const options = { batchSize: 7, poisonPolicy: 'quarantine' as const, log: () => undefined };
    await new ProcessorRunner(store, checkpoints, sqliteProcessors[name], options).catchUp();
    await new ProcessorRunner(store, shared, new PostgresProjectionProcessor(pg.pool, postgresProjections[name]), options).catchUp();
  }
  sqlite = new SqliteReadModelReader(checkpoints.db, (name) => sqliteProcessors[name].quarantine);
  postgres = new PostgresReadModelReader(pg.pool);
});

afterAll(async () => {
  await store?.close();
  checkpoints?.close();
  await pg?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('READ_MODELS=postgres answers what the embedded SQLite read models answer', () => {
  it('reached the same checkpoints, with a non-trivial history', async () => {
    const head = await store.headPosition();
    for (const name of PROJECTION_NAMES) {
      expect(await postgres.checkpoint(name)).toEqual(head);
      expect(await sqlite.checkpoint(name)).toEqual(head);
    }
    const leads = await pg.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM funnel_leads');
    expect(leads.rows[0].n).toBeGreaterThan(50);
  });

  it('the funnel: every tenant, grouping and capture window', async () => {
    for (const tenantId of TENANTS) {
      for (const groupBy of [undefined, 'channel', 'campaign'] as const) {
        for (const window of [{}, { from: '2026-02-03T00:00:00Z', to: '2026-02-06T00:00:00Z' }, { channel: 'paid_ads' }, { campaign: 'c1' }]) {
          const query = { tenantId, groupBy, ...window };
          const expected = await sqlite.funnel(query);
          expect(await postgres.funnel(query)).toEqual(expected);
        }
      }
    }
    expect((await sqlite.funnel({ tenantId: 'acme' }))[0].reached.anyPath.customer).toBeGreaterThan(0);
  });

  it('the lead list, page by page, in both sorts and with filters', async () => {
    const walk = async (reader: SqliteReadModelReader | PostgresReadModelReader, query: LeadListQuery) => {
      const pages: unknown[] = [];
      let cursor: string | undefined;
      do {
        const page = await reader.leadList({ ...query, cursor });
        pages.push(page);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return pages;
    };
    for (const tenantId of TENANTS) {
      for (const query of [
        { tenantId, limit: 3 },
        { tenantId, limit: 4, sort: 'lastActivity' as const },
        { tenantId, stage: 'mql' },
        { tenantId, minScore: 40, limit: 2 },
        { tenantId, visibleToOwner: 'rep1', limit: 5 },
        { tenantId, temperature: 'hot' },
      ]) {
        expect(await walk(postgres, query)).toEqual(await walk(sqlite, query));
      }
    }
  });

  it('the KPIs: overall, by channel, by campaign, with speed to lead', async () => {
    for (const tenantId of TENANTS) {
      for (const filter of [{ tenantId }, { tenantId, from: '2026-02-02T00:00:00Z' }, { tenantId, channel: 'referral' }]) {
        const expected = await sqlite.kpis(filter, KPI_OPTIONS);
        expect(await postgres.kpis(filter, KPI_OPTIONS)).toEqual(expected);
      }
    }
    const reports = await Promise.all(TENANTS.map((tenantId) => sqlite.kpis({ tenantId }, KPI_OPTIONS)));
    expect(reports.reduce((n, r) => n + r.overall.opportunities.won, 0)).toBeGreaterThan(0);
    expect(reports.reduce((n, r) => n + r.overall.speedToLead.measured, 0)).toBeGreaterThan(0);
  });

  it('time in stage of every lead', async () => {
    const now = new Date('2026-04-01T00:00:00.000Z');
    for (let i = 0; i < 48; i++) {
      const tenantId = TENANTS[i % TENANTS.length];
      expect(await postgres.timeInStage(tenantId, `L${i}`, now)).toEqual(await sqlite.timeInStage(tenantId, `L${i}`, now));
    }
    expect(await postgres.timeInStage('acme', 'nobody', now)).toBeUndefined();
  });

  it('the quarantine: the same leads held, counted and listed', async () => {
    for (const name of PROJECTION_NAMES) {
      expect(await postgres.quarantineCount(name)).toBe(await sqlite.quarantineCount(name));
      expect(await postgres.quarantineList(name, 100)).toEqual(await sqlite.quarantineList(name, 100));
      expect(await postgres.quarantinedAmong(name, [poisonLead, 'L8'])).toEqual(await sqlite.quarantinedAmong(name, [poisonLead, 'L8']));
    }
    expect(await postgres.quarantineCount('funnel')).toBe(1);
    const tenantId = TENANTS[7 % TENANTS.length];
    expect(await postgres.quarantinedInCohort(['funnel', 'kpi'], { tenantId })).toBe(await sqlite.quarantinedInCohort(['funnel', 'kpi'], { tenantId }));
  });
});

describe('exactly once: a batch is its rows and its checkpoint, or nothing', () => {
  let db: FreshDatabase;
  let events: StoredEvent[];
  beforeAll(async () => {
    db = await freshDatabase('ll_read_models_crash');
    await migrateReadModels(db.pool);
    events = (await store.readAll({ maxCount: 200 })).filter((e) => e.streamId.startsWith('lead-'));
  });
  afterAll(() => db?.drop());

  const count = async () => (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM funnel_leads')).rows[0].n;
  const stored = async () => (await db.pool.query<{ position: string }>("SELECT position FROM checkpoints WHERE name = 'projection:funnel'")).rows;

  it('a batch whose transaction fails part-way leaves neither rows nor the checkpoint moved', async () => {
    const real = new FunnelPostgresProjection();
    let applied = 0;
    const failing = new PostgresProjectionProcessor(db.pool, {
      name: real.name,
      streamPrefixes: real.streamPrefixes,
      apply: async (client, event) => {
        await real.apply(client, event);
        if (++applied === 25) throw new Error('the process dies here');
      },
    });
    await expect(failing.handleBatch(events.slice(0, 40), events[39].position, START_POSITION)).rejects.toThrow('the process dies here');
    expect(applied).toBe(25);
    expect(await count()).toBe(0);
    expect(await stored()).toEqual([]);

    // The same batch again, whole: counted once.
    const processor = new PostgresProjectionProcessor(db.pool, real);
    await processor.handleBatch(events.slice(0, 40), events[39].position, START_POSITION);
    const afterFirst = await count();
    expect(afterFirst).toBeGreaterThan(0);
    expect(await stored()).toHaveLength(1);
    // A batch read from an older checkpoint (another holder moved it) is refused and changes nothing.
    await expect(processor.handleBatch(events.slice(0, 40), events[39].position, START_POSITION)).rejects.toBeInstanceOf(CheckpointMovedError);
    expect(await count()).toBe(afterFirst);
  });

  it('a holder whose lease term is over commits nothing (fenced on the lease)', async () => {
    const deposed: Lease = { name: 'projection:funnel', run: () => undefined, stop: async () => undefined, held: () => ({ name: 'projection:funnel', holder: 'old', term: 1 }) };
    const before = await count();
    const [{ position }] = await stored();
    const processor = new PostgresProjectionProcessor(db.pool, new FunnelPostgresProjection(), deposed);
    const from = events[39].position;
    expect(position).toBeDefined();
    await expect(processor.handleBatch(events.slice(40, 60), events[59].position, from)).rejects.toBeInstanceOf(FencedCheckpointError);
    expect(await count()).toBe(before);
    expect((await stored())[0].position).toBe(position);
  });
});
