import type Database from 'better-sqlite3';

export interface LeadListQuery {
  readonly tenantId: string;
  readonly stage?: string;
  readonly temperature?: string;
  readonly ownerId?: string;
  readonly channel?: string;
  readonly minScore?: number;
  readonly sort?: 'score' | 'lastActivity';
  readonly limit?: number;
  readonly cursor?: string;
  /** For an owner-scoped caller (`rep`): only the leads this owner owns and the unassigned ones. */
  readonly visibleToOwner?: string;
}

export interface LeadListItem {
  readonly leadId: string;
  readonly stage: string;
  readonly score: { readonly total: number; readonly fit: number; readonly engagement: number };
  readonly temperature: string;
  readonly ownerId: string | null;
  readonly channel: string;
  readonly campaign: string | null;
  readonly capturedAt: string;
  readonly lastActivityAt: string;
}

export class InvalidCursorError extends Error {}

/** A lead_scores row. */
export interface LeadScoreRow {
  lead_id: string;
  stage: string;
  total: number;
  fit: number;
  engagement: number;
  temperature: string;
  owner_id: string | null;
  channel: string;
  campaign: string | null;
  captured_at: string;
  last_activity_at: string;
}

/**
 * The "who to call next" list: highest score (or latest activity) first, lead id as tie-breaker, paged
 * with an opaque cursor that holds the last row's sort key (stable while rows change).
 */
export function queryLeadList(db: Database.Database, query: LeadListQuery): { items: LeadListItem[]; nextCursor: string | null } {
  const { where, params, sortColumn, limit } = leadListWhere(query);
  const rows = db
    .prepare(`SELECT * FROM lead_scores WHERE ${where} ORDER BY ${sortColumn} DESC, lead_id ASC LIMIT ?`)
    .all(...params, limit + 1) as LeadScoreRow[];
  return leadListPage(rows, sortColumn, limit);
}

/** The filter of a lead list (`?` parameters), its sort column and page size: one for both stores. */
export function leadListWhere(query: LeadListQuery): { where: string; params: unknown[]; sortColumn: 'last_activity_at' | 'total'; limit: number } {
  const sortColumn = query.sort === 'lastActivity' ? 'last_activity_at' : 'total';
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
  const clauses = ['tenant_id = ?'];
  const params: unknown[] = [query.tenantId];
  const add = (sql: string, value: unknown) => {
    clauses.push(sql);
    params.push(value);
  };
  if (query.stage) add('stage = ?', query.stage);
  if (query.temperature) add('temperature = ?', query.temperature);
  if (query.ownerId) add('owner_id = ?', query.ownerId);
  if (query.visibleToOwner !== undefined) add('(owner_id = ? OR owner_id IS NULL)', query.visibleToOwner);
  if (query.channel) add('channel = ?', query.channel);
  if (query.minScore !== undefined) add('total >= ?', query.minScore);
  if (query.cursor) {
    const [value, leadId] = decodeCursor(query.cursor, sortColumn);
    clauses.push(`(${sortColumn} < ? OR (${sortColumn} = ? AND lead_id > ?))`);
    params.push(value, value, leadId);
  }
  return { where: clauses.join(' AND '), params, sortColumn, limit };
}

/** A page of the list from up to `limit + 1` rows in list order (one more than the page: there is a next page). */
export function leadListPage(rows: readonly LeadScoreRow[], sortColumn: string, limit: number): { items: LeadListItem[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(sortColumn, last[sortColumn as keyof LeadScoreRow] as string | number, last.lead_id) : null;
  return {
    items: page.map((r) => ({
      leadId: r.lead_id,
      stage: r.stage,
      score: { total: r.total, fit: r.fit, engagement: r.engagement },
      temperature: r.temperature,
      ownerId: r.owner_id,
      channel: r.channel,
      campaign: r.campaign,
      capturedAt: r.captured_at,
      lastActivityAt: r.last_activity_at,
    })),
    nextCursor,
  };
}

function encodeCursor(sort: string, value: string | number, leadId: string): string {
  return Buffer.from(JSON.stringify([sort, value, leadId])).toString('base64url');
}

function decodeCursor(cursor: string, sort: string): [string | number, string] {
  try {
    const [cursorSort, value, leadId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (cursorSort !== sort || typeof leadId !== 'string' || (typeof value !== 'string' && typeof value !== 'number')) throw new Error();
    return [value, leadId];
  } catch {
    throw new InvalidCursorError('cursor is not valid for this sort');
  }
}
