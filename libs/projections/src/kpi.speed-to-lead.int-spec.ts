import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessorRunner, SqliteCheckpointStore, SqliteEventStore } from '@lead-lifecycle/eventing';
import { createProjections, PROJECTION_NAMES, queryKpis, SqliteProjectionProcessor } from '@lead-lifecycle/projections';
import { HistoryBuilder, isoAt } from '../../../test/support/projections/history-builder';

/**
 * Speed to lead in the KPIs: from a lead's first assignment to its first sales touch (an activity of the
 * configured touch types at or after that assignment), median and p90 over the cohort's leads that
 * had both; the touch types are applied when the KPIs are read.
 */
const BASE = '2026-03-02T08:00:00.000Z';
const at = (minutes: number, seconds = 0) => isoAt(BASE, 0, 0, minutes + seconds / 60);

let dir: string;
let store: SqliteEventStore;
let checkpoints: SqliteCheckpointStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kpi-speed-'));
  store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), durability: 'normal' });
});
afterEach(async () => {
  checkpoints?.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function foldAll(): Promise<void> {
  const projections = createProjections();
  for (const name of PROJECTION_NAMES) {
    await new ProcessorRunner(store, checkpoints, new SqliteProjectionProcessor(checkpoints.db, projections[name])).catchUp();
  }
}

/** Leads of `channel` assigned at minute 0 and first touched (call_logged) after the given seconds. */
async function touchedAfter(h: HistoryBuilder, prefix: string, channel: 'seo' | 'referral', seconds: readonly number[]): Promise<void> {
  for (const [i, s] of seconds.entries()) {
    const leadId = `${prefix}${i}`;
    await h.capture({ tenantId: 't', leadId, at: at(-10), source: { channel } });
    await h.assign(leadId, 'rep-1', at(0));
    await h.engage(leadId, 'call_logged', at(0, s));
  }
}

describe('speed to lead (KPIs)', () => {
  it('measures first assignment to first sales touch: median, p90 by nearest rank, per channel', async () => {
    checkpoints = new SqliteCheckpointStore(join(dir, 'read-models.sqlite'));
    const h = new HistoryBuilder(store);
    await touchedAfter(h, 'S', 'seo', [60, 120, 180, 240, 300, 360, 420, 480, 540, 6000]);
    await touchedAfter(h, 'R', 'referral', [30, 90]);
    await foldAll();
    const kpis = queryKpis(checkpoints.db, { tenantId: 't' });
    // 12 values: 30 60 90 120 180 240 300 360 420 480 540 6000 -> median (240+300)/2, p90 = 11th of 12
    expect(kpis.overall.speedToLead).toEqual({ measured: 12, medianSeconds: 270, p90Seconds: 540 });
    expect(Object.fromEntries(kpis.byChannel.map((k) => [k.key, k.speedToLead]))).toEqual({
      referral: { measured: 2, medianSeconds: 60, p90Seconds: 90 },
      seo: { measured: 10, medianSeconds: 330, p90Seconds: 540 },
    });
    expect(queryKpis(checkpoints.db, { tenantId: 'other' }).overall.speedToLead).toEqual({ measured: 0, medianSeconds: null, p90Seconds: null });
  });

  it('counts only the first assignment and the first touch at or after it, of the configured types', async () => {
    checkpoints = new SqliteCheckpointStore(join(dir, 'read-models.sqlite'));
    const h = new HistoryBuilder(store);
    // A: touched before any assignment, a marketing activity, a backdated call before the assignment, then the call.
    await h.capture({ tenantId: 't', leadId: 'A', at: at(-60), source: { channel: 'seo' } });
    await h.engage('A', 'email_sent', at(-30));
    await h.assign('A', 'rep-1', at(0));
    await h.engage('A', 'page_view', at(1));
    await h.engage('A', 'call_logged', at(5));
    await h.engage('A', 'call_logged', at(-1)); // recorded later, happened before the assignment
    // a reassignment does not restart speed to lead; a later touch does not replace the first
    await h.assign('A', 'rep-2', at(20));
    await h.engage('A', 'meeting_held', at(25));
    // B: assigned, never touched; C: never assigned, touched
    await h.capture({ tenantId: 't', leadId: 'B', at: at(-60), source: { channel: 'seo' } });
    await h.assign('B', 'rep-1', at(0));
    await h.capture({ tenantId: 't', leadId: 'C', at: at(-60), source: { channel: 'seo' } });
    await h.engage('C', 'call_logged', at(3));
    // D: its first touch is one recorded out of order (earlier than the touch recorded before it)
    await h.capture({ tenantId: 't', leadId: 'D', at: at(-60), source: { channel: 'seo' } });
    await h.assign('D', 'rep-1', at(0));
    await h.engage('D', 'email_sent', at(9));
    await h.engage('D', 'call_logged', at(7));
    await foldAll();

    expect(queryKpis(checkpoints.db, { tenantId: 't' }).overall.speedToLead).toEqual({ measured: 2, medianSeconds: 360, p90Seconds: 420 });
    // The touch types are read from the configuration at query time: no refold when they change.
    expect(queryKpis(checkpoints.db, { tenantId: 't' }, { touchTypes: ['meeting_held'] }).overall.speedToLead).toEqual({
      measured: 1,
      medianSeconds: 25 * 60,
      p90Seconds: 25 * 60,
    });
    expect(queryKpis(checkpoints.db, { tenantId: 't' }, { touchTypes: ['page_view', 'email_sent'] }).overall.speedToLead).toEqual({
      measured: 2,
      medianSeconds: (60 + 9 * 60) / 2,
      p90Seconds: 9 * 60,
    });
  });

  it('refolds a kpi model written before speed to lead, so leads assigned and touched back then are measured', async () => {
    const h = new HistoryBuilder(store);
    await touchedAfter(h, 'O', 'seo', [600]);
    const head = (await store.headPosition()).commit.toString();
    const file = join(dir, 'read-models.sqlite');
    // The previous version's kpi tables, its checkpoint at the head: without a refold, nothing would be measured.
    const old = new SqliteCheckpointStore(file);
    old.db.exec(`
      CREATE TABLE kpi_opportunities (
        opportunity_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, lead_id TEXT NOT NULL, amount_minor INTEGER NOT NULL,
        currency TEXT NOT NULL, status TEXT NOT NULL, opened_at TEXT NOT NULL, closed_at TEXT, won_minor INTEGER, loss_reason TEXT);
      CREATE TABLE kpi_reasons (event_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, lead_id TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL);`);
    old.db.prepare(`INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?)`).run('projection:kpi', head, BASE);
    old.close();

    checkpoints = new SqliteCheckpointStore(file);
    await foldAll();
    expect(queryKpis(checkpoints.db, { tenantId: 't' }).overall.speedToLead).toEqual({ measured: 1, medianSeconds: 600, p90Seconds: 600 });
  });
});
