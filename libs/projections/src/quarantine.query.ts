import type Database from 'better-sqlite3';
import { type CohortFilter, cohortWhere } from './funnel.query';
import type { LeadQuarantine } from './lead-quarantine';

/**
 * How many leads of a capture cohort are quarantined by any of `quarantines`: they are counted in the
 * answer with what their rows hold, and this number tells how many of those rows are not to be trusted.
 * A lead whose capture itself could not be projected is in no cohort; `GET /v1/projections` lists it.
 */
export function countQuarantinedInCohort(db: Database.Database, quarantines: readonly LeadQuarantine[], filter: CohortFilter): number {
  const where = cohortWhere(filter);
  const held = quarantines.map((q) => `SELECT lead_id FROM ${q.table}`).join(' UNION ');
  return db.prepare(`SELECT count(*) FROM funnel_leads l WHERE ${where.sql} AND l.lead_id IN (${held})`).pluck().get(...where.params) as number;
}
