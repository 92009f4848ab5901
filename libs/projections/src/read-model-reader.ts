import type Database from 'better-sqlite3';
import { type GlobalPosition, positionFromString, START_POSITION } from '@lead-lifecycle/eventing';
import { type CohortFilter, type FunnelGroup, type FunnelOptions, type FunnelQuery, queryFunnel, queryTimeInStage, type StageTime } from './funnel.query';
import { type KpiOptions, type KpiReport, queryKpis } from './kpi.query';
import type { LeadQuarantine, QuarantinedLead } from './lead-quarantine';
import { countQuarantinedInCohort } from './quarantine.query';
import { type LeadListItem, type LeadListQuery, queryLeadList } from './scoring.query';
import { projectionCheckpointName } from './sqlite-projection';

/** The projections whose read models the queries read. */
export type ReadModelName = 'funnel' | 'scoring' | 'kpi';

/**
 * What the read-model queries read, from whichever store holds the read models (READ_MODELS): the
 * embedded SQLite file (answers at once underneath) or the fleet's PostgreSQL.
 */
export interface ReadModelReader {
  funnel(query: FunnelQuery, options?: FunnelOptions): Promise<FunnelGroup[]>;
  timeInStage(tenantId: string, leadId: string, now: Date): Promise<StageTime[] | undefined>;
  leadList(query: LeadListQuery): Promise<{ items: LeadListItem[]; nextCursor: string | null }>;
  kpis(filter: CohortFilter, options?: KpiOptions): Promise<KpiReport>;
  /** How many leads of the cohort any of the projections holds quarantined. */
  quarantinedInCohort(names: readonly ReadModelName[], filter: CohortFilter): Promise<number>;
  quarantinedAmong(name: ReadModelName, leadIds: readonly string[]): Promise<Set<string>>;
  quarantineCount(name: ReadModelName): Promise<number>;
  quarantineList(name: ReadModelName, limit: number): Promise<QuarantinedLead[]>;
  /** The projection's checkpoint as the store holds it (read your writes where another instance folds). */
  checkpoint(name: ReadModelName): Promise<GlobalPosition>;
}

/** The embedded read models: the synchronous SQLite queries, answered as settled promises. */
export class SqliteReadModelReader implements ReadModelReader {
  constructor(
    private readonly db: Database.Database,
    private readonly quarantines: (name: ReadModelName) => LeadQuarantine,
  ) {}

  async funnel(query: FunnelQuery, options?: FunnelOptions): Promise<FunnelGroup[]> {
    return queryFunnel(this.db, query, options);
  }

  async timeInStage(tenantId: string, leadId: string, now: Date): Promise<StageTime[] | undefined> {
    return queryTimeInStage(this.db, tenantId, leadId, now);
  }

  async leadList(query: LeadListQuery): Promise<{ items: LeadListItem[]; nextCursor: string | null }> {
    return queryLeadList(this.db, query);
  }

  async kpis(filter: CohortFilter, options?: KpiOptions): Promise<KpiReport> {
    return queryKpis(this.db, filter, options);
  }

  async quarantinedInCohort(names: readonly ReadModelName[], filter: CohortFilter): Promise<number> {
    return countQuarantinedInCohort(this.db, names.map(this.quarantines), filter);
  }

  async quarantinedAmong(name: ReadModelName, leadIds: readonly string[]): Promise<Set<string>> {
    return this.quarantines(name).quarantinedAmong(leadIds);
  }

  async quarantineCount(name: ReadModelName): Promise<number> {
    return this.quarantines(name).count();
  }

  async quarantineList(name: ReadModelName, limit: number): Promise<QuarantinedLead[]> {
    return this.quarantines(name).list(limit);
  }

  async checkpoint(name: ReadModelName): Promise<GlobalPosition> {
    const stored = this.db.prepare('SELECT position FROM checkpoints WHERE name = ?').pluck().get(projectionCheckpointName(name)) as string | undefined;
    return stored === undefined ? START_POSITION : positionFromString(stored);
  }
}
