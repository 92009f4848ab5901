import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type StoredEvent, UpcastingEventStore } from '@lead-lifecycle/eventing';
import { upcastStoredEvent } from '@lead-lifecycle/lifecycle';
import { ProcessorRunner, SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import { createProjections, PROJECTION_NAMES, queryFunnel, queryKpis, queryLeadList, SqliteProjectionProcessor } from '@lead-lifecycle/projections';
import { FunnelProjection } from './funnel.projection';
import { KpiProjection } from './kpi.projection';
import { HistoryBuilder, isoAt } from '../../../test/support/projections/history-builder';

/**
 * Money and time in the read models: amounts are exact integers of minor units (sums exact, never
 * null), business times are the engine's one form, tables of an older shape are refolded, and an
 * event the rules cannot read (1e308, a time that no upcaster understands) is refused by the projection.
 */
const BASE = '2026-03-01T00:00:00.000Z';
const D = (days: number, hours = 0) => isoAt(BASE, days, hours);

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'projections-values-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function foldAll(store: SqliteEventStore | UpcastingEventStore, checkpoints: SqliteCheckpointStore): Promise<void> {
  const projections = createProjections();
  for (const name of PROJECTION_NAMES) {
    await new ProcessorRunner(store, checkpoints, new SqliteProjectionProcessor(checkpoints.db, projections[name])).catchUp();
  }
}

async function sqlLead(h: HistoryBuilder, leadId: string, at: string, cost?: number): Promise<void> {
  await h.capture({ tenantId: 't', leadId, at, jobTitle: 'CTO', company: { size: 2000, industry: 'software', country: 'US' }, source: { channel: 'seo', cost } });
  await h.promote(leadId, at);
}

describe('exact money in the KPIs', () => {
  it('sums amounts near the maximum exactly, per currency, in major units', async () => {
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), durability: 'normal' });
    const checkpoints = new SqliteCheckpointStore(join(dir, 'read-models.sqlite'));
    try {
      const h = new HistoryBuilder(store);
      await sqlLead(h, 'A', D(0), 0.1);
      await sqlLead(h, 'B', D(0), 0.2);
      await h.openOpportunity('A', 'A1', { amount: 999_999_999_999.99, currency: 'EUR', at: D(1) });
      await h.openOpportunity('B', 'B1', { amount: 999_999_999_999.99, currency: 'EUR', at: D(1) });
      await h.openOpportunity('A', 'A2', { amount: 0.1, currency: 'EUR', at: D(1) });
      await h.openOpportunity('B', 'B2', { amount: 0.2, currency: 'EUR', at: D(1) });
      await h.openOpportunity('A', 'A3', { amount: 1e12, currency: 'JPY', at: D(1) });
      await h.openOpportunity('B', 'B3', { amount: 1e12, currency: 'JPY', at: D(1) });
      await h.openOpportunity('A', 'A4', { amount: 0.001, currency: 'BHD', at: D(1) });
      await h.openOpportunity('B', 'B4', { amount: 999_999_999_999.999, currency: 'BHD', at: D(1) });
      await h.openOpportunity('A', 'A5', { amount: 0.07, currency: 'USD', at: D(1) });
      await h.win('A5', D(2));
      await foldAll(store, checkpoints);

      const kpis = queryKpis(checkpoints.db, { tenantId: 't' }).overall;
      // 2 × 999 999 999 999.99 + 0.1 + 0.2 = 2 000 000 000 000.28 exactly (the float sum is ….2800000001-ish or null)
      expect(kpis.pipelineValue).toEqual({ EUR: 2_000_000_000_000.28, JPY: 2e12, BHD: 1_000_000_000_000 });
      expect(kpis.wonRevenue).toEqual({ USD: 0.07 });
      expect(kpis.acquisition).toMatchObject({ totalCost: 0.3, leadsWithCost: 2, costPerLead: 0.15 });
      // the read model holds integers of minor units
      const rows = checkpoints.db.prepare('SELECT currency, amount_minor FROM kpi_opportunities ORDER BY opportunity_id').all();
      expect(rows).toContainEqual({ currency: 'EUR', amount_minor: 99_999_999_999_999 });
      expect(rows).toContainEqual({ currency: 'BHD', amount_minor: 999_999_999_999_999 });
      expect(checkpoints.db.prepare('SELECT cost_cents FROM funnel_leads ORDER BY lead_id').pluck().all()).toEqual([10, 20]);
    } finally {
      await store.close();
      checkpoints.close();
    }
  });

  it('sums beyond 64-bit integers without overflow', () => {
    const db = new Database(':memory:');
    try {
      const funnel = new FunnelProjection();
      const kpi = new KpiProjection();
      db.exec(`CREATE TABLE checkpoints (name TEXT PRIMARY KEY, position TEXT, updated_at TEXT)`);
      funnel.createTables(db);
      kpi.createTables(db);
      db.prepare(
        `INSERT INTO funnel_leads (lead_id, tenant_id, channel, captured_at, stage, strict_path, last_main_index) VALUES ('L', 't', 'seo', ?, 'opportunity', 1, 3)`,
      ).run(BASE);
      // 2000 opportunities of the largest exact BHD amount: 2000 × 9.007e15 minor units is beyond 2^63.
      const insert = db.prepare(
        `INSERT INTO kpi_opportunities (opportunity_id, tenant_id, lead_id, amount_minor, currency, status, opened_at) VALUES (?, 't', 'L', ?, 'BHD', 'open', ?)`,
      );
      for (let i = 0; i < 2000; i++) insert.run(`O${i}`, Number.MAX_SAFE_INTEGER, BASE);
      expect(() => db.prepare('SELECT sum(amount_minor) FROM kpi_opportunities').get()).toThrow(/overflow/);
      const expected = Number(((BigInt(Number.MAX_SAFE_INTEGER) * 2000n) / 1000n).toString());
      expect(queryKpis(db, { tenantId: 't' }).overall.pipelineValue.BHD).toBe(expected);
    } finally {
      db.close();
    }
  });
});

describe('values the projections refuse (poison for their lead, never a null sum)', () => {
  const event = (type: string, streamId: string, data: Record<string, unknown>): StoredEvent => ({
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    streamId,
    revision: 0n,
    position: { commit: 1n, prepare: 1n },
    data,
    metadata: { tenantId: 't', occurredAt: String(data.occurredAt), recordedAt: BASE, actor: 'v0', correlationId: 'c', causationId: 'c' },
  });

  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    new FunnelProjection().createTables(db);
    new KpiProjection().createTables(db);
  });
  afterEach(() => db.close());

  const opened = (over: Record<string, unknown>) =>
    event('OpportunityOpened', 'opportunity-O', { opportunityId: 'O', leadId: 'L', tenantId: 't', amount: 10, currency: 'EUR', stage: 'a', pipeline: ['a'], occurredAt: BASE, ...over });

  it.each([
    [{ amount: 1e308 }, 'too large'],
    [{ amount: -1 }, 'zero or more'],
    [{ amount: 10.005 }, 'decimals'],
    [{ amount: 10.5, currency: 'JPY' }, 'whole number'],
    [{ amount: null }, 'not a money amount'],
    [{ currency: 'XYZ' }, 'ISO 4217'],
    [{ occurredAt: '2026-02-30' }, 'RFC 3339'],
  ])('refuses an OpportunityOpened with %j', (over, message) => {
    expect(() => new KpiProjection().apply(db, opened(over))).toThrow(message);
    expect(db.prepare('SELECT count(*) FROM kpi_opportunities').pluck().get()).toBe(0);
  });

  it('refuses a capture whose cost is not cents, or whose time cannot be read', () => {
    const captured = (over: Record<string, unknown>) =>
      event('LeadCaptured', 'lead-L', { leadId: 'L', tenantId: 't', contact: {}, source: { channel: 'seo' }, occurredAt: BASE, ...over });
    expect(() => new FunnelProjection().apply(db, captured({ source: { channel: 'seo', cost: 1e308 } }))).toThrow('too large');
    expect(() => new FunnelProjection().apply(db, captured({ source: { channel: 'seo', cost: 0.125 } }))).toThrow('decimals');
    expect(() => new FunnelProjection().apply(db, captured({ occurredAt: '2026-02-30' }))).toThrow('RFC 3339');
    new FunnelProjection().apply(db, captured({ source: { channel: 'seo', cost: 12.5 } }));
    expect(db.prepare('SELECT cost_cents FROM funnel_leads').pluck().get()).toBe(1250);
  });
});

describe('read models of an older shape', () => {
  it('are dropped with their checkpoint and refolded from the start', async () => {
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), durability: 'normal' });
    const file = join(dir, 'read-models.sqlite');
    try {
      const h = new HistoryBuilder(store);
      await sqlLead(h, 'A', D(0), 40);
      await h.openOpportunity('A', 'A1', { amount: 12_000.5, currency: 'EUR', at: D(1) });
      const head = (await store.headPosition()).commit.toString();

      // A database written by the previous version: REAL amounts and costs, checkpoints at the head.
      const old = new SqliteCheckpointStore(file);
      old.db.exec(`
        CREATE TABLE kpi_opportunities (opportunity_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, lead_id TEXT NOT NULL, amount REAL NOT NULL,
          currency TEXT NOT NULL, status TEXT NOT NULL, opened_at TEXT NOT NULL, closed_at TEXT, won_amount REAL, loss_reason TEXT);
        CREATE TABLE funnel_leads (lead_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, channel TEXT NOT NULL, campaign TEXT, cost REAL,
          captured_at TEXT NOT NULL, stage TEXT NOT NULL);`);
      for (const name of ['funnel', 'kpi', 'scoring']) {
        old.db.prepare(`INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?)`).run(`projection:${name}`, head, BASE);
      }
      old.close();

      const checkpoints = new SqliteCheckpointStore(file);
      try {
        await foldAll(store, checkpoints);
        expect(queryKpis(checkpoints.db, { tenantId: 't' }).overall).toMatchObject({ pipelineValue: { EUR: 12_000.5 }, acquisition: { totalCost: 40 } });
        const columns = (table: string) => (checkpoints.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
        expect(columns('kpi_opportunities')).toEqual(expect.arrayContaining(['amount_minor', 'won_minor']));
        expect(columns('kpi_opportunities')).not.toContain('amount');
        expect(columns('funnel_leads')).toContain('cost_cents');
        // the scoring model had the current shape: it was not refolded (its checkpoint stayed)
        expect(queryLeadList(checkpoints.db, { tenantId: 't' }).items).toEqual([]);
      } finally {
        checkpoints.close();
      }
    } finally {
      await store.close();
    }
  });
});

describe('legacy times read through the upcasting store', () => {
  it('are placed in time by the projections in the one UTC form', async () => {
    const raw = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), durability: 'normal' });
    const checkpoints = new SqliteCheckpointStore(join(dir, 'read-models.sqlite'));
    try {
      // Written raw, as the old validation let them through.
      const legacy = (leadId: string, type: string, data: Record<string, unknown>) => ({
        eventId: randomUUID(),
        type,
        schemaVersion: 1,
        data: { leadId, ...data },
        metadata: { tenantId: 't', occurredAt: data.occurredAt as string, actor: 'v0', correlationId: randomUUID(), causationId: randomUUID() },
      });
      await raw.appendToStream('lead-W', [
        legacy('W', 'LeadCaptured', { tenantId: 't', contact: { email: 'w@x.io' }, source: { channel: 'seo' }, occurredAt: '2026-W05-1' }),
        legacy('W', 'EngagementRecorded', { activityType: 'page_view', points: 1, occurredAt: '20260201T1000' }),
      ]);
      await raw.appendToStream('lead-O', [legacy('O', 'LeadCaptured', { tenantId: 't', contact: { email: 'o@x.io' }, source: { channel: 'seo' }, occurredAt: '2026-032' })]);
      await foldAll(new UpcastingEventStore(raw, upcastStoredEvent), checkpoints);

      const items = queryLeadList(checkpoints.db, { tenantId: 't', sort: 'lastActivity' }).items;
      expect(items.map((i) => [i.leadId, i.capturedAt, i.lastActivityAt])).toEqual([
        ['W', '2026-01-26T00:00:00.000Z', '2026-02-01T10:00:00.000Z'],
        ['O', '2026-02-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
      ]);
      expect(queryFunnel(checkpoints.db, { tenantId: 't', from: '2026-01-27T00:00:00Z' })[0].reached.anyPath.lead).toBe(1);
      // the log still holds what was written
      expect((await raw.readStream('lead-W'))[0].data.occurredAt).toBe('2026-W05-1');
    } finally {
      await raw.close();
      checkpoints.close();
    }
  });

  it('a cohort filter that is not a business time is a 400 naming the parameter', () => {
    const db = new Database(':memory:');
    try {
      new FunnelProjection().createTables(db);
      expect(() => queryFunnel(db, { tenantId: 't', from: '2026-02-01' })).toThrow(expect.objectContaining({ problems: [expect.objectContaining({ field: 'from' })] }));
    } finally {
      db.close();
    }
  });
});
