import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@lead-lifecycle/eventing';
import { ProcessorRunner, SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import {
  createProjections,
  InvalidCursorError,
  PROJECTION_NAMES,
  queryFunnel,
  queryKpis,
  queryLeadList,
  queryTimeInStage,
  SqliteProjectionProcessor,
} from '@lead-lifecycle/projections';
import { HistoryBuilder, isoAt } from '../../../test/support/projections/history-builder';
import { LEAD_IDENTITY_STREAM_PREFIX } from '@lead-lifecycle/lifecycle';

/**
 * A scripted history with every expected number worked out BY HAND from the script below (not by the
 * code under test). Times are business times; D(n, h) is 2026-03-01T00:00Z plus n days and h hours.
 *
 * Fit points (DEFAULT_LIFECYCLE_CONFIG): executive title +20, director/head of +15, manager +10,
 * student -5; size >=1000 +20, 200-999 +15, 50-199 +10, 1-49 +3; software/saas +15, fintech +10,
 * healthcare +8; US +10, CA/DE +8; free email -5. MQL threshold 50; cold < 30 <= warm < 60 <= hot.
 * Engagement halves every 30 days, so activities are placed either at the same instant or exactly 30
 * days apart (factor 0.5) to keep the scores exact.
 *
 * Tenant "acme":
 *  L1 won            web_form / spring  / cost 40
 *     D0 9  capture "Director of IT", 300 employees, SaaS        fit 15+15+15 = 45 (warm)
 *     D1 9  demo_request +25                                     70 hot -> QualifiedAsMQL at D1 9
 *     D3 9  assigned alice; promoted to SQL
 *     D5 9  opportunity O1 12000 EUR opened
 *     D10 9 O1 -> proposal
 *     D12 9 O1 won for 15000 EUR -> ConvertedToCustomer at D12 9
 *     visits: lead 24h, mql 48h, sql 48h, opportunity 168h, customer (open)
 *  L2 recycled and requalified (enters mql twice)   paid_ads / webinar / cost 60
 *     D0 12  capture "Marketing Manager", 120, fintech, DE       fit 10+10+10+8 = 38 (warm)
 *     D2 12  webinar_attended +12                                50 -> QualifiedAsMQL at D2 12
 *     D4 12  recycled (from mql)                                 -> nurturing
 *     D32 12 page_view +1: webinar is now 30 days old -> 6; 6+1 = 7; total 45 (no crossing)
 *     D32 12 pricing_page_view +10: 6+1+10 = 17; total 55 warm   -> QualifiedAsMQL at D32 12 (second mql visit)
 *     D34 12 promoted to SQL
 *     visits: lead 48h, mql 48h, nurturing 28 days, mql 48h, sql (open)
 *  L3 disqualified   web_form / webinar / cost 30
 *     D1 10  capture "Student", gmail.com, no company            fit -5-5 = -10 (cold)
 *     D2 10  disqualified no_budget
 *     visits: lead 24h, disqualified (open)
 *  L4 lost then recycled   paid_ads / spring / cost 50
 *     D1 15  capture "CTO", 2000, Software, US                   fit 20+20+15+10 = 65 hot -> MQL at capture
 *     D2 15  email_click +3, email_open +1, page_view +1 (same instant)   68, 69, 70 (no new MQL)
 *     D2 15  assigned bob;  D3 15 promoted;  D4 15 O2 8000 EUR opened
 *     D9 15  O2 lost "price" -> OpportunityLostForLead
 *     D10 15 recycled (from opportunity) -> nurturing
 *     visits: lead 0ms, mql 48h, sql 24h, opportunity 144h, nurturing (open)
 *  L5 opportunity left open   web_form / no campaign / no cost
 *     D2 8   capture "Head of Operations", 60, healthcare, CA    fit 15+10+8+8 = 41 (warm)
 *     D3 8   meeting_booked +30                                  71 hot -> MQL at D3 8
 *     D4 8   assigned alice;  D5 8 promoted
 *     D6 8   O3 5000 USD opened;  D7 8 O4 2500 EUR opened (stage stays opportunity)
 *     D8 8   O4 lost "no_decision"; O3 stays open
 *     visits: lead 24h, mql 48h, sql 24h, opportunity (open)
 *  L6 stays a lead   paid_ads / webinar / cost 20
 *     D3 11  capture, 10 employees                               fit 3 (cold)
 *     D5 11  page_view +1                                        4 (cold)
 *     D6 11  recaptured (from web_form): last activity D6 11, channel stays paid_ads
 *     visits: lead (open)
 * Tenant "globex": G1 web_form / spring / cost 100, captured D1 9 and won GO1 9999 EUR; never visible to acme.
 */
const BASE = '2026-03-01T00:00:00.000Z';
const D = (days: number, hours = 0) => isoAt(BASE, days, hours);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ACME = 'acme';

let dir: string;
let store: SqliteEventStore;
let checkpoints: SqliteCheckpointStore;
let db: SqliteCheckpointStore['db'];

async function script(h: HistoryBuilder): Promise<void> {
  // L1: won
  await h.capture({
    tenantId: ACME,
    leadId: 'L1',
    at: D(0, 9),
    jobTitle: 'Director of IT',
    company: { name: 'One', size: 300, industry: 'SaaS' },
    source: { channel: 'web_form', campaign: 'spring', cost: 40 },
  });
  // L2: recycled and requalified
  await h.capture({
    tenantId: ACME,
    leadId: 'L2',
    at: D(0, 12),
    jobTitle: 'Marketing Manager',
    company: { size: 120, industry: 'fintech', country: 'DE' },
    source: { channel: 'paid_ads', campaign: 'webinar', cost: 60 },
  });
  await h.engage('L1', 'demo_request', D(1, 9));
  await h.capture({
    tenantId: ACME,
    leadId: 'L3',
    at: D(1, 10),
    jobTitle: 'Student',
    contact: { email: 'l3@gmail.com' },
    source: { channel: 'web_form', campaign: 'webinar', cost: 30 },
  });
  await h.capture({
    tenantId: ACME,
    leadId: 'L4',
    at: D(1, 15),
    jobTitle: 'CTO',
    company: { size: 2000, industry: 'Software', country: 'US' },
    source: { channel: 'paid_ads', campaign: 'spring', cost: 50 },
  });
  // Another tenant, interleaved in the global order.
  await h.capture({
    tenantId: 'globex',
    leadId: 'G1',
    at: D(1, 9),
    jobTitle: 'CEO',
    company: { size: 1000, industry: 'software', country: 'US' },
    source: { channel: 'web_form', campaign: 'spring', cost: 100 },
  });
  await h.engage('L2', 'webinar_attended', D(2, 12));
  await h.disqualify('L3', 'no_budget', D(2, 10));
  await h.engage('L4', 'email_click', D(2, 15));
  await h.engage('L4', 'email_open', D(2, 15));
  await h.engage('L4', 'page_view', D(2, 15));
  await h.assign('L4', 'bob', D(2, 15));
  await h.capture({
    tenantId: ACME,
    leadId: 'L5',
    at: D(2, 8),
    jobTitle: 'Head of Operations',
    company: { size: 60, industry: 'healthcare', country: 'CA' },
    source: { channel: 'web_form' },
  });
  await h.promote('G1', D(2, 9));
  await h.assign('L1', 'alice', D(3, 9));
  await h.promote('L1', D(3, 9));
  await h.promote('L4', D(3, 15));
  await h.engage('L5', 'meeting_booked', D(3, 8));
  await h.capture({ tenantId: ACME, leadId: 'L6', at: D(3, 11), company: { size: 10 }, source: { channel: 'paid_ads', campaign: 'webinar', cost: 20 } });
  await h.openOpportunity('G1', 'GO1', { amount: 9999, currency: 'EUR', at: D(3, 9) });
  await h.recycle('L2', D(4, 12), 'not ready');
  await h.openOpportunity('L4', 'O2', { amount: 8000, currency: 'EUR', at: D(4, 15) });
  await h.assign('L5', 'alice', D(4, 8));
  await h.win('GO1', D(4, 9));
  await h.openOpportunity('L1', 'O1', { amount: 12000, currency: 'EUR', at: D(5, 9) });
  await h.promote('L5', D(5, 8));
  await h.engage('L6', 'page_view', D(5, 11));
  await h.openOpportunity('L5', 'O3', { amount: 5000, currency: 'USD', at: D(6, 8) });
  await h.capture({ tenantId: ACME, leadId: 'L6', at: D(6, 11), company: { size: 10 }, source: { channel: 'web_form' } });
  await h.openOpportunity('L5', 'O4', { amount: 2500, currency: 'EUR', at: D(7, 8) });
  await h.lose('O4', 'no_decision', D(8, 8));
  await h.lose('O2', 'price', D(9, 15));
  await h.moveOpportunity('O1', 'proposal', D(10, 9));
  await h.recycle('L4', D(10, 15), 'lost deal');
  await h.win('O1', D(12, 9), 15000);
  await h.engage('L2', 'page_view', D(32, 12));
  await h.engage('L2', 'pricing_page_view', D(32, 12));
  await h.promote('L2', D(34, 12));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'projections-scenario-'));
  store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), durability: 'normal' });
  const h = new HistoryBuilder(store);
  await script(h);
  checkpoints = new SqliteCheckpointStore(join(dir, 'read-models.sqlite'));
  db = checkpoints.db;
  const projections = createProjections();
  for (const name of PROJECTION_NAMES) {
    // Small batches, so the fold crosses many batch boundaries.
    await new ProcessorRunner(store, checkpoints, new SqliteProjectionProcessor(db, projections[name]), { batchSize: 7 }).catchUp();
  }
});

afterAll(async () => {
  await store?.close();
  checkpoints?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the scripted history itself (sanity of the builder)', () => {
  it('went through the real deciders and the reaction', async () => {
    const l1 = await store.readStream('lead-L1');
    expect(l1.map((e) => e.type)).toEqual([
      'LeadCaptured',
      'ScoreChanged',
      'EngagementRecorded',
      'ScoreChanged',
      'QualifiedAsMQL',
      'LeadAssigned',
      'PromotedToSQL',
      'OpportunityOpenedForLead',
      'ConvertedToCustomer',
    ]);
    expect(l1[0].metadata).toMatchObject({ tenantId: ACME, occurredAt: D(0, 9), command: 'CaptureLead' });
    expect(l1[8].metadata).toMatchObject({ tenantId: ACME, actor: 'reaction:opportunity-lifecycle', command: 'ConvertToCustomer' });
    expect((await store.readStream('opportunity-O1')).map((e) => e.type)).toEqual(['OpportunityOpened', 'OpportunityStageChanged', 'OpportunityWon']);
    expect((await store.readStream('lead-L2')).filter((e) => e.type === 'QualifiedAsMQL').map((e) => e.data.occurredAt)).toEqual([D(2, 12), D(32, 12)]);
    expect((await store.readStream('lead-L4')).map((e) => e.type)).toContain('OpportunityLostForLead');
    expect((await store.readAll({ maxCount: 10_000 })).some((e) => e.streamId.startsWith(LEAD_IDENTITY_STREAM_PREFIX))).toBe(true);
  });
});

describe('queryFunnel', () => {
  // reached (anyPath): lead L1-L6 = 6; mql L1,L2,L4,L5 = 4; sql L1,L2,L4,L5 = 4; opportunity L1,L4,L5 = 3;
  //   customer L1 = 1; nurturing L2,L4 = 2; disqualified L3 = 1.
  // reached (inOrder): L2 reached sql only after nurturing, so sql = 3 (L1,L4,L5); the rest as anyPath.
  // current: lead L6, sql L2, opportunity L5, customer L1, nurturing L4, disqualified L3.
  it('counts reached stages in both modes, current stages and conversion rates', () => {
    expect(queryFunnel(db, { tenantId: ACME })).toEqual([
      {
        key: null,
        reached: {
          anyPath: { lead: 6, mql: 4, sql: 4, opportunity: 3, customer: 1, nurturing: 2, disqualified: 1 },
          inOrder: { lead: 6, mql: 4, sql: 3, opportunity: 3, customer: 1 },
        },
        current: { lead: 1, mql: 0, sql: 1, opportunity: 1, customer: 1, nurturing: 1, disqualified: 1 },
        conversion: {
          // 4/6, 4/4, 3/4, 1/3, 1/6 rounded to 4 places
          anyPath: { lead_to_mql: 0.6667, mql_to_sql: 1, sql_to_opportunity: 0.75, opportunity_to_customer: 0.3333, lead_to_customer: 0.1667 },
          // 4/6, 3/4, 3/3, 1/3, 1/6
          inOrder: { lead_to_mql: 0.6667, mql_to_sql: 0.75, sql_to_opportunity: 1, opportunity_to_customer: 0.3333, lead_to_customer: 0.1667 },
        },
      },
    ]);
  });

  it('groups by channel (paid_ads: L2, L4, L6; web_form: L1, L3, L5)', () => {
    expect(queryFunnel(db, { tenantId: ACME, groupBy: 'channel' })).toEqual([
      {
        key: 'paid_ads',
        reached: {
          anyPath: { lead: 3, mql: 2, sql: 2, opportunity: 1, customer: 0, nurturing: 2, disqualified: 0 },
          inOrder: { lead: 3, mql: 2, sql: 1, opportunity: 1, customer: 0 },
        },
        current: { lead: 1, mql: 0, sql: 1, opportunity: 0, customer: 0, nurturing: 1, disqualified: 0 },
        conversion: {
          anyPath: { lead_to_mql: 0.6667, mql_to_sql: 1, sql_to_opportunity: 0.5, opportunity_to_customer: 0, lead_to_customer: 0 },
          inOrder: { lead_to_mql: 0.6667, mql_to_sql: 0.5, sql_to_opportunity: 1, opportunity_to_customer: 0, lead_to_customer: 0 },
        },
      },
      {
        key: 'web_form',
        reached: {
          anyPath: { lead: 3, mql: 2, sql: 2, opportunity: 2, customer: 1, nurturing: 0, disqualified: 1 },
          inOrder: { lead: 3, mql: 2, sql: 2, opportunity: 2, customer: 1 },
        },
        current: { lead: 0, mql: 0, sql: 0, opportunity: 1, customer: 1, nurturing: 0, disqualified: 1 },
        conversion: {
          anyPath: { lead_to_mql: 0.6667, mql_to_sql: 1, sql_to_opportunity: 1, opportunity_to_customer: 0.5, lead_to_customer: 0.3333 },
          inOrder: { lead_to_mql: 0.6667, mql_to_sql: 1, sql_to_opportunity: 1, opportunity_to_customer: 0.5, lead_to_customer: 0.3333 },
        },
      },
    ]);
  });

  it('groups by campaign (no campaign: L5; spring: L1, L4; webinar: L2, L3, L6), 0/0 rates are null', () => {
    expect(queryFunnel(db, { tenantId: ACME, groupBy: 'campaign' })).toEqual([
      {
        key: null,
        reached: {
          anyPath: { lead: 1, mql: 1, sql: 1, opportunity: 1, customer: 0, nurturing: 0, disqualified: 0 },
          inOrder: { lead: 1, mql: 1, sql: 1, opportunity: 1, customer: 0 },
        },
        current: { lead: 0, mql: 0, sql: 0, opportunity: 1, customer: 0, nurturing: 0, disqualified: 0 },
        conversion: {
          anyPath: { lead_to_mql: 1, mql_to_sql: 1, sql_to_opportunity: 1, opportunity_to_customer: 0, lead_to_customer: 0 },
          inOrder: { lead_to_mql: 1, mql_to_sql: 1, sql_to_opportunity: 1, opportunity_to_customer: 0, lead_to_customer: 0 },
        },
      },
      {
        key: 'spring',
        reached: {
          anyPath: { lead: 2, mql: 2, sql: 2, opportunity: 2, customer: 1, nurturing: 1, disqualified: 0 },
          inOrder: { lead: 2, mql: 2, sql: 2, opportunity: 2, customer: 1 },
        },
        current: { lead: 0, mql: 0, sql: 0, opportunity: 0, customer: 1, nurturing: 1, disqualified: 0 },
        conversion: {
          anyPath: { lead_to_mql: 1, mql_to_sql: 1, sql_to_opportunity: 1, opportunity_to_customer: 0.5, lead_to_customer: 0.5 },
          inOrder: { lead_to_mql: 1, mql_to_sql: 1, sql_to_opportunity: 1, opportunity_to_customer: 0.5, lead_to_customer: 0.5 },
        },
      },
      {
        key: 'webinar',
        reached: {
          anyPath: { lead: 3, mql: 1, sql: 1, opportunity: 0, customer: 0, nurturing: 1, disqualified: 1 },
          inOrder: { lead: 3, mql: 1, sql: 0, opportunity: 0, customer: 0 },
        },
        current: { lead: 1, mql: 0, sql: 1, opportunity: 0, customer: 0, nurturing: 0, disqualified: 1 },
        conversion: {
          anyPath: { lead_to_mql: 0.3333, mql_to_sql: 1, sql_to_opportunity: 0, opportunity_to_customer: null, lead_to_customer: 0 },
          inOrder: { lead_to_mql: 0.3333, mql_to_sql: 0, sql_to_opportunity: null, opportunity_to_customer: null, lead_to_customer: 0 },
        },
      },
    ]);
  });

  it('filters the cohort by capture time: from inclusive, to exclusive', () => {
    // [D1 10, D2 8): L3 (captured exactly D1 10) and L4 (D1 15); L5 captured exactly D2 8 is out; G1 is another tenant.
    const [group] = queryFunnel(db, { tenantId: ACME, from: D(1, 10), to: D(2, 8) });
    expect(group.reached.anyPath).toEqual({ lead: 2, mql: 1, sql: 1, opportunity: 1, customer: 0, nurturing: 1, disqualified: 1 });
    expect(group.reached.inOrder).toEqual({ lead: 2, mql: 1, sql: 1, opportunity: 1, customer: 0 });
    expect(group.current).toEqual({ lead: 0, mql: 0, sql: 0, opportunity: 0, customer: 0, nurturing: 1, disqualified: 1 });
    // from only: D2 0 onwards -> L5, L6
    expect(queryFunnel(db, { tenantId: ACME, from: D(2) })[0].reached.anyPath.lead).toBe(2);
    // to only: before D1 0 -> L1, L2
    expect(queryFunnel(db, { tenantId: ACME, to: D(1) })[0].reached.anyPath).toEqual({
      lead: 2, mql: 2, sql: 2, opportunity: 1, customer: 1, nurturing: 1, disqualified: 0,
    });
    // cohort + channel filter: web_form in [D1 10, D2 8) -> L3 only
    expect(queryFunnel(db, { tenantId: ACME, from: D(1, 10), to: D(2, 8), channel: 'web_form' })[0].reached.anyPath.lead).toBe(1);
    // campaign filter: spring -> L1, L4
    expect(queryFunnel(db, { tenantId: ACME, campaign: 'spring' })[0].reached.anyPath.customer).toBe(1);
  });

  it('answers an empty cohort with one group of zeros and null rates, and keeps tenants apart', () => {
    const [empty] = queryFunnel(db, { tenantId: ACME, from: D(50) });
    expect(empty.reached.anyPath).toEqual({ lead: 0, mql: 0, sql: 0, opportunity: 0, customer: 0, nurturing: 0, disqualified: 0 });
    expect(empty.conversion.anyPath).toEqual({
      lead_to_mql: null, mql_to_sql: null, sql_to_opportunity: null, opportunity_to_customer: null, lead_to_customer: null,
    });
    expect(queryFunnel(db, { tenantId: ACME, groupBy: 'channel', from: D(50) })).toEqual([]);
    // globex: G1 only, lead -> mql (at capture) -> sql -> opportunity -> customer
    expect(queryFunnel(db, { tenantId: 'globex' })[0].reached.inOrder).toEqual({ lead: 1, mql: 1, sql: 1, opportunity: 1, customer: 1 });
  });
});

describe('queryTimeInStage', () => {
  const now = new Date(D(40, 12));

  it('gives visits, latest and cumulative times for the lead that entered mql twice', () => {
    expect(queryTimeInStage(db, ACME, 'L2', now)).toEqual([
      // D0 12 -> D2 12
      { stage: 'lead', visits: 1, firstEnteredAt: D(0, 12), lastEnteredAt: D(0, 12), lastLeftAt: D(2, 12), latestMs: 48 * HOUR, cumulativeMs: 48 * HOUR },
      // D2 12 -> D4 12 (48h) and D32 12 -> D34 12 (48h)
      { stage: 'mql', visits: 2, firstEnteredAt: D(2, 12), lastEnteredAt: D(32, 12), lastLeftAt: D(34, 12), latestMs: 48 * HOUR, cumulativeMs: 96 * HOUR },
      // D4 12 -> D32 12
      { stage: 'nurturing', visits: 1, firstEnteredAt: D(4, 12), lastEnteredAt: D(4, 12), lastLeftAt: D(32, 12), latestMs: 28 * DAY, cumulativeMs: 28 * DAY },
      // D34 12 -> still there at now = D40 12
      { stage: 'sql', visits: 1, firstEnteredAt: D(34, 12), lastEnteredAt: D(34, 12), lastLeftAt: null, latestMs: 6 * DAY, cumulativeMs: 6 * DAY },
    ]);
  });

  it('records a zero-length lead visit when the capture qualifies at once, and the whole path of a lost-then-recycled lead', () => {
    expect(queryTimeInStage(db, ACME, 'L4', now)).toEqual([
      { stage: 'lead', visits: 1, firstEnteredAt: D(1, 15), lastEnteredAt: D(1, 15), lastLeftAt: D(1, 15), latestMs: 0, cumulativeMs: 0 },
      { stage: 'mql', visits: 1, firstEnteredAt: D(1, 15), lastEnteredAt: D(1, 15), lastLeftAt: D(3, 15), latestMs: 48 * HOUR, cumulativeMs: 48 * HOUR },
      { stage: 'sql', visits: 1, firstEnteredAt: D(3, 15), lastEnteredAt: D(3, 15), lastLeftAt: D(4, 15), latestMs: 24 * HOUR, cumulativeMs: 24 * HOUR },
      // the loss of O2 (D9 15) does not end the opportunity stage; the recycle (D10 15) does; D10 15 -> D40 12 = 29 days 21 hours
      { stage: 'opportunity', visits: 1, firstEnteredAt: D(4, 15), lastEnteredAt: D(4, 15), lastLeftAt: D(10, 15), latestMs: 144 * HOUR, cumulativeMs: 144 * HOUR },
      { stage: 'nurturing', visits: 1, firstEnteredAt: D(10, 15), lastEnteredAt: D(10, 15), lastLeftAt: null, latestMs: 29 * DAY + 21 * HOUR, cumulativeMs: 29 * DAY + 21 * HOUR },
    ]);
  });

  it('does not open a second opportunity visit for a second opportunity', () => {
    const stages = queryTimeInStage(db, ACME, 'L5', now)!;
    expect(stages.map((s) => [s.stage, s.visits])).toEqual([['lead', 1], ['mql', 1], ['sql', 1], ['opportunity', 1]]);
    // D6 8 -> D40 12 = 34 days 4 hours
    expect(stages[3].latestMs).toBe(34 * DAY + 4 * HOUR);
  });

  it('answers undefined for an unknown lead and for another tenant\'s lead', () => {
    expect(queryTimeInStage(db, ACME, 'nope', now)).toBeUndefined();
    expect(queryTimeInStage(db, ACME, 'G1', now)).toBeUndefined();
    expect(queryTimeInStage(db, 'globex', 'L1', now)).toBeUndefined();
  });
});

describe('queryLeadList', () => {
  // totals: L5 71, L1 70, L4 70, L2 55, L6 4, L3 -10 (ties broken by lead id: L1 before L4)
  // last activity: L2 D32 12, L6 D6 11 (recapture), L5 D3 8, L4 D2 15, L3 D1 10, L1 D1 9
  const ids = (q: Parameters<typeof queryLeadList>[1]) => queryLeadList(db, q).items.map((i) => i.leadId);

  it('lists by score, highest first, with every field of the item', () => {
    const { items, nextCursor } = queryLeadList(db, { tenantId: ACME });
    expect(items.map((i) => i.leadId)).toEqual(['L5', 'L1', 'L4', 'L2', 'L6', 'L3']);
    expect(nextCursor).toBeNull();
    expect(items[1]).toEqual({
      leadId: 'L1',
      stage: 'customer',
      score: { total: 70, fit: 45, engagement: 25 },
      temperature: 'hot',
      ownerId: 'alice',
      channel: 'web_form',
      campaign: 'spring',
      capturedAt: D(0, 9),
      lastActivityAt: D(1, 9),
    });
    expect(items.find((i) => i.leadId === 'L2')).toEqual({
      leadId: 'L2',
      stage: 'sql',
      score: { total: 55, fit: 38, engagement: 17 },
      temperature: 'warm',
      ownerId: null,
      channel: 'paid_ads',
      campaign: 'webinar',
      capturedAt: D(0, 12),
      lastActivityAt: D(32, 12),
    });
    expect(items.find((i) => i.leadId === 'L3')).toMatchObject({ stage: 'disqualified', score: { total: -10, fit: -10, engagement: 0 }, temperature: 'cold' });
    // recaptured from web_form: the channel of the capture stays
    expect(items.find((i) => i.leadId === 'L6')).toMatchObject({ stage: 'lead', score: { total: 4, fit: 3, engagement: 1 }, channel: 'paid_ads', lastActivityAt: D(6, 11) });
    expect(items.find((i) => i.leadId === 'L4')).toMatchObject({ stage: 'nurturing', score: { total: 70, fit: 65, engagement: 5 }, ownerId: 'bob' });
    expect(items.find((i) => i.leadId === 'L5')).toMatchObject({ stage: 'opportunity', score: { total: 71, fit: 41, engagement: 30 }, campaign: null });
  });

  it('lists by last activity, latest first', () => {
    expect(ids({ tenantId: ACME, sort: 'lastActivity' })).toEqual(['L2', 'L6', 'L5', 'L4', 'L3', 'L1']);
  });

  it('filters by stage, temperature, owner, channel and minimum score', () => {
    expect(ids({ tenantId: ACME, stage: 'sql' })).toEqual(['L2']);
    expect(ids({ tenantId: ACME, stage: 'opportunity' })).toEqual(['L5']);
    expect(ids({ tenantId: ACME, stage: 'mql' })).toEqual([]);
    expect(ids({ tenantId: ACME, temperature: 'hot' })).toEqual(['L5', 'L1', 'L4']);
    expect(ids({ tenantId: ACME, temperature: 'warm' })).toEqual(['L2']);
    expect(ids({ tenantId: ACME, temperature: 'cold' })).toEqual(['L6', 'L3']);
    expect(ids({ tenantId: ACME, ownerId: 'alice' })).toEqual(['L5', 'L1']);
    expect(ids({ tenantId: ACME, ownerId: 'bob' })).toEqual(['L4']);
    expect(ids({ tenantId: ACME, channel: 'paid_ads' })).toEqual(['L4', 'L2', 'L6']);
    expect(ids({ tenantId: ACME, minScore: 55 })).toEqual(['L5', 'L1', 'L4', 'L2']);
    expect(ids({ tenantId: ACME, minScore: 70.5 })).toEqual(['L5']);
    expect(ids({ tenantId: ACME, channel: 'web_form', minScore: 0 })).toEqual(['L5', 'L1']);
    expect(ids({ tenantId: ACME, channel: 'web_form', minScore: 0, sort: 'lastActivity' })).toEqual(['L5', 'L1']);
    expect(ids({ tenantId: 'globex' })).toEqual(['G1']);
  });

  it('pages with a cursor without duplicates or gaps, also across a tie', () => {
    const page1 = queryLeadList(db, { tenantId: ACME, limit: 2 });
    expect(page1.items.map((i) => i.leadId)).toEqual(['L5', 'L1']);
    expect(page1.nextCursor).toEqual(expect.any(String));
    // L1 and L4 tie at 70: the page boundary falls between them
    const page2 = queryLeadList(db, { tenantId: ACME, limit: 2, cursor: page1.nextCursor! });
    expect(page2.items.map((i) => i.leadId)).toEqual(['L4', 'L2']);
    const page3 = queryLeadList(db, { tenantId: ACME, limit: 2, cursor: page2.nextCursor! });
    expect(page3.items.map((i) => i.leadId)).toEqual(['L6', 'L3']);
    expect(page3.nextCursor).toBeNull();

    const walk = (sort: 'score' | 'lastActivity', limit: number, filter: Record<string, unknown> = {}) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = queryLeadList(db, { tenantId: ACME, sort, limit, cursor, ...filter });
        seen.push(...page.items.map((i) => i.leadId));
        if (!page.nextCursor) return seen;
        cursor = page.nextCursor;
      }
      throw new Error('paging did not end');
    };
    for (const limit of [1, 2, 3, 4, 5, 6, 7]) {
      expect(walk('score', limit)).toEqual(['L5', 'L1', 'L4', 'L2', 'L6', 'L3']);
      expect(walk('lastActivity', limit)).toEqual(['L2', 'L6', 'L5', 'L4', 'L3', 'L1']);
      expect(walk('score', limit, { channel: 'paid_ads' })).toEqual(['L4', 'L2', 'L6']);
    }
  });

  it('refuses a malformed cursor and a cursor of the other sort', () => {
    expect(() => queryLeadList(db, { tenantId: ACME, cursor: 'not-a-cursor' })).toThrow(InvalidCursorError);
    expect(() => queryLeadList(db, { tenantId: ACME, cursor: Buffer.from('{"a":1}').toString('base64url') })).toThrow(InvalidCursorError);
    const scoreCursor = queryLeadList(db, { tenantId: ACME, limit: 1 }).nextCursor!;
    expect(() => queryLeadList(db, { tenantId: ACME, sort: 'lastActivity', cursor: scoreCursor })).toThrow(InvalidCursorError);
  });
});

describe('queryKpis', () => {
  const emptyStage = { count: 0, averageMs: null, medianMs: null };

  it('computes the overall KPIs of the tenant', () => {
    const { overall } = queryKpis(db, { tenantId: ACME });
    expect(overall).toEqual({
      key: null,
      leadsCaptured: 6,
      // reached sql / reached mql = 4/4; opportunity / sql = 3/4; customer / opportunity = 1/3
      conversion: { mqlToSql: 1, sqlToOpportunity: 0.75, opportunityToWon: 0.3333 },
      // opportunities O1 won, O2 lost, O3 open, O4 lost: 1 / (1 + 2)
      winRate: 0.3333,
      opportunities: { open: 1, won: 1, lost: 2 },
      // completed visits only (an open visit has no length yet), one value per visit
      timeInStage: {
        // L1 24h, L2 48h, L3 24h, L4 0, L5 24h: sum 120h / 5 = 24h; sorted 0,24,24,24,48 -> 24h
        lead: { count: 5, averageMs: 24 * HOUR, medianMs: 24 * HOUR },
        // L1 48h, L2 48h + 48h, L4 48h, L5 48h
        mql: { count: 5, averageMs: 48 * HOUR, medianMs: 48 * HOUR },
        // L1 48h, L4 24h, L5 24h: 96h / 3 = 32h; median 24h (L2 still in sql)
        sql: { count: 3, averageMs: 32 * HOUR, medianMs: 24 * HOUR },
        // L1 168h, L4 144h: 156h (L5 still open)
        opportunity: { count: 2, averageMs: 156 * HOUR, medianMs: 156 * HOUR },
        customer: emptyStage,
        // L2 28 days (L4 still nurturing)
        nurturing: { count: 1, averageMs: 28 * DAY, medianMs: 28 * DAY },
        disqualified: emptyStage,
      },
      // L1: D0 9 -> D12 9
      leadToCustomer: { count: 1, averageMs: 12 * DAY, medianMs: 12 * DAY },
      // open: O3 5000 USD
      pipelineValue: { USD: 5000 },
      // O1 won for 15000 EUR (opened at 12000)
      wonRevenue: { EUR: 15000 },
      acquisition: {
        // 40 + 60 + 30 + 50 + 20 (L5 has no cost)
        totalCost: 200,
        leadsWithCost: 5,
        costPerLead: 40,
        // customers with a cost: L1 -> 200 / 1
        costPerCustomer: 200,
        // 15000 / 200
        returnOnSpend: { EUR: 75 },
      },
      disqualificationReasons: { no_budget: 1 },
      lossReasons: { no_decision: 1, price: 1 },
      speedToLead: { measured: 0, medianSeconds: null, p90Seconds: null }, // assigned, never touched by a sales touch
    });
  });

  it('computes the KPIs per channel', () => {
    const { byChannel } = queryKpis(db, { tenantId: ACME });
    expect(byChannel).toEqual([
      {
        key: 'paid_ads', // L2, L4, L6
        leadsCaptured: 3,
        // mql L2,L4; sql L2,L4; opportunity L4; customer none
        conversion: { mqlToSql: 1, sqlToOpportunity: 0.5, opportunityToWon: 0 },
        winRate: 0, // O2 lost
        opportunities: { open: 0, won: 0, lost: 1 },
        timeInStage: {
          lead: { count: 2, averageMs: 24 * HOUR, medianMs: 24 * HOUR }, // L2 48h, L4 0
          mql: { count: 3, averageMs: 48 * HOUR, medianMs: 48 * HOUR }, // L2 48h twice, L4 48h
          sql: { count: 1, averageMs: 24 * HOUR, medianMs: 24 * HOUR }, // L4
          opportunity: { count: 1, averageMs: 144 * HOUR, medianMs: 144 * HOUR }, // L4
          customer: emptyStage,
          nurturing: { count: 1, averageMs: 28 * DAY, medianMs: 28 * DAY }, // L2
          disqualified: emptyStage,
        },
        leadToCustomer: emptyStage,
        pipelineValue: {},
        wonRevenue: {},
        // 60 + 50 + 20 = 130; 130 / 3 = 43.33; no customer; spend without revenue -> {}
        acquisition: { totalCost: 130, leadsWithCost: 3, costPerLead: 43.33, costPerCustomer: null, returnOnSpend: {} },
        disqualificationReasons: {},
        lossReasons: { price: 1 },
        speedToLead: { measured: 0, medianSeconds: null, p90Seconds: null }, // assigned, never touched by a sales touch
      },
      {
        key: 'web_form', // L1, L3, L5
        leadsCaptured: 3,
        // mql L1,L5; sql L1,L5; opportunity L1,L5; customer L1
        conversion: { mqlToSql: 1, sqlToOpportunity: 1, opportunityToWon: 0.5 },
        winRate: 0.5, // O1 won, O4 lost (O3 open)
        opportunities: { open: 1, won: 1, lost: 1 },
        timeInStage: {
          lead: { count: 3, averageMs: 24 * HOUR, medianMs: 24 * HOUR }, // 24h each
          mql: { count: 2, averageMs: 48 * HOUR, medianMs: 48 * HOUR },
          sql: { count: 2, averageMs: 36 * HOUR, medianMs: 36 * HOUR }, // L1 48h, L5 24h
          opportunity: { count: 1, averageMs: 168 * HOUR, medianMs: 168 * HOUR }, // L1
          customer: emptyStage,
          nurturing: emptyStage,
          disqualified: emptyStage,
        },
        leadToCustomer: { count: 1, averageMs: 12 * DAY, medianMs: 12 * DAY },
        pipelineValue: { USD: 5000 },
        wonRevenue: { EUR: 15000 },
        // 40 + 30 = 70 over 2 leads; L1 is the customer with a cost; 15000 / 70 = 214.28571...
        acquisition: { totalCost: 70, leadsWithCost: 2, costPerLead: 35, costPerCustomer: 70, returnOnSpend: { EUR: 214.2857 } },
        disqualificationReasons: { no_budget: 1 },
        lossReasons: { no_decision: 1 },
        speedToLead: { measured: 0, medianSeconds: null, p90Seconds: null }, // assigned, never touched by a sales touch
      },
    ]);
  });

  it('computes the KPIs per campaign, leads without a campaign in a null group', () => {
    const { byCampaign } = queryKpis(db, { tenantId: ACME });
    expect(byCampaign).toEqual([
      {
        key: null, // L5
        leadsCaptured: 1,
        conversion: { mqlToSql: 1, sqlToOpportunity: 1, opportunityToWon: 0 },
        winRate: 0, // O4 lost, O3 open
        opportunities: { open: 1, won: 0, lost: 1 },
        timeInStage: {
          lead: { count: 1, averageMs: 24 * HOUR, medianMs: 24 * HOUR },
          mql: { count: 1, averageMs: 48 * HOUR, medianMs: 48 * HOUR },
          sql: { count: 1, averageMs: 24 * HOUR, medianMs: 24 * HOUR },
          opportunity: emptyStage,
          customer: emptyStage,
          nurturing: emptyStage,
          disqualified: emptyStage,
        },
        leadToCustomer: emptyStage,
        pipelineValue: { USD: 5000 },
        wonRevenue: {},
        acquisition: { totalCost: 0, leadsWithCost: 0, costPerLead: null, costPerCustomer: null, returnOnSpend: null },
        disqualificationReasons: {},
        lossReasons: { no_decision: 1 },
        speedToLead: { measured: 0, medianSeconds: null, p90Seconds: null }, // assigned, never touched by a sales touch
      },
      {
        key: 'spring', // L1, L4
        leadsCaptured: 2,
        conversion: { mqlToSql: 1, sqlToOpportunity: 1, opportunityToWon: 0.5 },
        winRate: 0.5, // O1 won, O2 lost
        opportunities: { open: 0, won: 1, lost: 1 },
        timeInStage: {
          lead: { count: 2, averageMs: 12 * HOUR, medianMs: 12 * HOUR }, // L1 24h, L4 0
          mql: { count: 2, averageMs: 48 * HOUR, medianMs: 48 * HOUR },
          sql: { count: 2, averageMs: 36 * HOUR, medianMs: 36 * HOUR }, // 48h, 24h
          opportunity: { count: 2, averageMs: 156 * HOUR, medianMs: 156 * HOUR }, // 168h, 144h
          customer: emptyStage,
          nurturing: emptyStage, // L4 still nurturing
          disqualified: emptyStage,
        },
        leadToCustomer: { count: 1, averageMs: 12 * DAY, medianMs: 12 * DAY },
        pipelineValue: {},
        wonRevenue: { EUR: 15000 },
        // 40 + 50 = 90; 90 / 2 = 45; 90 / 1 customer; 15000 / 90 = 166.6667
        acquisition: { totalCost: 90, leadsWithCost: 2, costPerLead: 45, costPerCustomer: 90, returnOnSpend: { EUR: 166.6667 } },
        disqualificationReasons: {},
        lossReasons: { price: 1 },
        speedToLead: { measured: 0, medianSeconds: null, p90Seconds: null }, // assigned, never touched by a sales touch
      },
      {
        key: 'webinar', // L2, L3, L6
        leadsCaptured: 3,
        // mql L2, sql L2, no opportunity: 1/1, 0/1, 0/0
        conversion: { mqlToSql: 1, sqlToOpportunity: 0, opportunityToWon: null },
        winRate: null,
        opportunities: { open: 0, won: 0, lost: 0 },
        timeInStage: {
          lead: { count: 2, averageMs: 36 * HOUR, medianMs: 36 * HOUR }, // L2 48h, L3 24h (L6 still a lead)
          mql: { count: 2, averageMs: 48 * HOUR, medianMs: 48 * HOUR }, // L2 twice
          sql: emptyStage,
          opportunity: emptyStage,
          customer: emptyStage,
          nurturing: { count: 1, averageMs: 28 * DAY, medianMs: 28 * DAY },
          disqualified: emptyStage,
        },
        leadToCustomer: emptyStage,
        pipelineValue: {},
        wonRevenue: {},
        // 60 + 30 + 20 = 110; 110 / 3 = 36.67
        acquisition: { totalCost: 110, leadsWithCost: 3, costPerLead: 36.67, costPerCustomer: null, returnOnSpend: {} },
        disqualificationReasons: { no_budget: 1 },
        lossReasons: {},
        speedToLead: { measured: 0, medianSeconds: null, p90Seconds: null }, // assigned, never touched by a sales touch
      },
    ]);
  });

  it('applies the cohort filter to every KPI, and keeps other tenants out', () => {
    // [D1 10, D2 8): L3 (disqualified) and L4 (O2 lost, recycled)
    const { overall } = queryKpis(db, { tenantId: ACME, from: D(1, 10), to: D(2, 8) });
    expect(overall).toMatchObject({
      leadsCaptured: 2,
      conversion: { mqlToSql: 1, sqlToOpportunity: 1, opportunityToWon: 0 },
      winRate: 0,
      opportunities: { open: 0, won: 0, lost: 1 },
      pipelineValue: {},
      wonRevenue: {},
      // 30 + 50
      acquisition: { totalCost: 80, leadsWithCost: 2, costPerLead: 40, costPerCustomer: null, returnOnSpend: {} },
      disqualificationReasons: { no_budget: 1 },
      lossReasons: { price: 1 },
    });
    // L3 lead 24h, L4 lead 0: 12h
    expect(overall.timeInStage.lead).toEqual({ count: 2, averageMs: 12 * HOUR, medianMs: 12 * HOUR });
    // globex: G1 won 9999 EUR on a cost of 100
    const globex = queryKpis(db, { tenantId: 'globex' }).overall;
    expect(globex).toMatchObject({ leadsCaptured: 1, wonRevenue: { EUR: 9999 }, acquisition: { totalCost: 100, costPerCustomer: 100, returnOnSpend: { EUR: 99.99 } } });
    // an empty cohort still answers one overall row
    expect(queryKpis(db, { tenantId: ACME, from: D(50) })).toEqual({
      overall: expect.objectContaining({ key: null, leadsCaptured: 0, winRate: null, pipelineValue: {}, lossReasons: {} }),
      byChannel: [],
      byCampaign: [],
    });
  });
});

describe('times written with a UTC offset', () => {
  // The API accepts any strict ISO 8601 occurredAt (IsISO8601({ strict: true })), offsets included, and
  // the domain compares times with Date.parse. The read models must order and filter by the instant.
  let offsetDir: string;
  let offsetStore: SqliteEventStore;
  let offsetCheckpoints: SqliteCheckpointStore;

  beforeAll(async () => {
    offsetDir = mkdtempSync(join(tmpdir(), 'projections-offset-'));
    offsetStore = new SqliteEventStore({ filename: join(offsetDir, 'events.sqlite'), durability: 'normal' });
    offsetCheckpoints = new SqliteCheckpointStore(join(offsetDir, 'read-models.sqlite'));
    const h = new HistoryBuilder(offsetStore);
    // A: captured 2026-03-01T10:00Z, written in UTC.  B: captured 2026-03-01T09:00Z, written as 11:00+02:00.
    await h.capture({ tenantId: 't', leadId: 'A', at: '2026-03-01T10:00:00.000Z', source: { channel: 'web_form' } });
    await h.capture({ tenantId: 't', leadId: 'B', at: '2026-03-01T11:00:00+02:00', source: { channel: 'web_form' } });
    // B's later activity at 2026-03-01T09:30Z, written in UTC: later than its capture, earlier than A's capture.
    await h.engage('B', 'page_view', '2026-03-01T09:30:00.000Z');
    const projections = createProjections();
    for (const name of PROJECTION_NAMES) {
      await new ProcessorRunner(offsetStore, offsetCheckpoints, new SqliteProjectionProcessor(offsetCheckpoints.db, projections[name])).catchUp();
    }
  });

  afterAll(async () => {
    await offsetStore?.close();
    offsetCheckpoints?.close();
    rmSync(offsetDir, { recursive: true, force: true });
  });

  it('filters the cohort by the instant of capture', () => {
    // from 09:30Z: only A (B was captured at 09:00Z)
    expect(queryFunnel(offsetCheckpoints.db, { tenantId: 't', from: '2026-03-01T09:30:00.000Z' })[0].reached.anyPath.lead).toBe(1);
  });

  it('keeps the latest activity by instant and sorts by it', () => {
    const items = queryLeadList(offsetCheckpoints.db, { tenantId: 't', sort: 'lastActivity' }).items;
    // A 10:00Z is later than B's 09:30Z activity
    expect(items.map((i) => i.leadId)).toEqual(['A', 'B']);
    expect(Date.parse(items[1].lastActivityAt)).toBe(Date.parse('2026-03-01T09:30:00.000Z'));
  });
});
