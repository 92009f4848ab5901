import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { decideLead, DEFAULT_LIFECYCLE_CONFIG, evolveLead, initialLeadState, type LeadCommand, type LeadEvent, type LeadState, type LifecycleConfig } from '@lead-lifecycle/domain';
import { type StoredEvent } from '@lead-lifecycle/eventing';
import { FunnelProjection } from './funnel.projection';
import { queryFunnel, queryTimeInStage } from './funnel.query';

/**
 * The funnel counts the host's own stages (lifecycleConfig.stages) by name, from the events the decider
 * writes: rows of funnel_custom_stages, not columns, so the table's shape never follows the configuration.
 */
const stages = { beforeLead: ['subscriber', 'trial'], afterCustomer: ['advocate'] };
const config: LifecycleConfig = { ...DEFAULT_LIFECYCLE_CONFIG, stages };
const at = (minute: number) => new Date(Date.parse('2026-03-01T00:00:00.000Z') + minute * 60_000).toISOString();
const BANT = { budget: { met: true }, authority: { met: true }, need: { met: true }, timeline: { met: true } };

/** The events the decider writes for `commands` on one lead, as the store would hand them to the projection. */
function journey(leadId: string, commands: readonly LeadCommand[]): StoredEvent[] {
  let state: LeadState = initialLeadState;
  const events: LeadEvent[] = [];
  for (const command of commands) {
    for (const event of decideLead(command, state, config)) {
      events.push(event);
      state = evolveLead(state, event);
    }
  }
  return events.map((event, i) => ({
    eventId: randomUUID(),
    type: event.type,
    schemaVersion: 1,
    streamId: `lead-${leadId}`,
    revision: BigInt(i),
    position: { commit: BigInt(i + 1), prepare: BigInt(i + 1) },
    data: event.data,
    metadata: { tenantId: 't', occurredAt: String(event.data.occurredAt), recordedAt: at(0), actor: 'test', correlationId: 'c', causationId: 'c' },
  }));
}
const capture = (leadId: string, stage?: string): LeadCommand => ({
  type: 'CaptureLead',
  leadId,
  tenantId: 't',
  contact: { email: `${leadId}@acme.io` },
  source: { channel: 'seo' },
  ...(stage ? { stage } : {}),
  occurredAt: at(0),
});
const advance = (to: string, minute: number): LeadCommand => ({ type: 'AdvanceLeadStage', to, occurredAt: at(minute) });
const TO_CUSTOMER: readonly LeadCommand[] = [
  { type: 'RecordEngagement', activityType: 'demo_request', occurredAt: at(10) },
  { type: 'RecordEngagement', activityType: 'meeting_booked', occurredAt: at(11) },
  { type: 'PromoteToSQL', bant: BANT, qualifiedBy: 'rep', occurredAt: at(12) },
  { type: 'OpenOpportunityForLead', opportunityId: 'opp', amount: 10, currency: 'EUR', occurredAt: at(13) },
  { type: 'ConvertToCustomer', opportunityId: 'opp', amount: 10, currency: 'EUR', occurredAt: at(14) },
];

describe('the funnel with the host’s own stages', () => {
  let db: Database.Database;
  const funnel = new FunnelProjection();
  beforeEach(() => {
    db = new Database(':memory:');
    funnel.createTables(db);
  });
  afterEach(() => db.close());
  const fold = (events: StoredEvent[]) => events.forEach((e) => funnel.apply(db, e));

  it('counts every stage reached and current by name, keeps the strict path through the host’s stages, and times them', () => {
    fold(journey('a', [capture('a', 'subscriber'), advance('trial', 1), advance('lead', 2), ...TO_CUSTOMER, advance('advocate', 20)]));
    fold(journey('b', [capture('b', 'subscriber')]));
    fold(journey('c', [capture('c', 'trial'), advance('lead', 3)]));
    fold(journey('d', [capture('d')]));

    const [group] = queryFunnel(db, { tenantId: 't' }, { stages });
    expect(group.reached.anyPath).toMatchObject({ subscriber: 2, trial: 2, lead: 3, mql: 1, customer: 1, advocate: 1 });
    expect(group.current).toMatchObject({ subscriber: 1, trial: 0, lead: 2, customer: 0, advocate: 1 });
    // a went subscriber → trial → lead → … → customer in order: the host's stages do not break the strict path.
    expect(group.reached.inOrder).toEqual({ lead: 3, mql: 1, sql: 1, opportunity: 1, customer: 1 });
    expect(group.conversion.anyPath).toMatchObject({ subscriber_to_trial: 1, trial_to_lead: 1.5, customer_to_advocate: 1 });
    expect(queryTimeInStage(db, 't', 'a', new Date(at(30)))?.map((s) => s.stage)).toEqual(['subscriber', 'trial', 'lead', 'mql', 'sql', 'opportunity', 'customer', 'advocate']);
  });

  it('answers as before without the host’s stages in its options, and never names a stage in SQL', () => {
    fold(journey('a', [capture('a', 'subscriber')]));
    const [group] = queryFunnel(db, { tenantId: 't' });
    expect(Object.keys(group.reached.anyPath)).toEqual(['lead', 'mql', 'sql', 'opportunity', 'customer', 'nurturing', 'disqualified']);
    expect(group.reached.anyPath.lead).toBe(0);
    // A stage name that is not a slug (never accepted by the configuration) is a parameter, not SQL.
    expect(queryFunnel(db, { tenantId: 't' }, { stages: { beforeLead: ["x') OR 1=1 --"], afterCustomer: [] } })[0].reached.anyPath["x') OR 1=1 --"]).toBe(0);
  });
});
