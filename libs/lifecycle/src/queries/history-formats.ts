import type { HistoryEntry } from './lead-history';

/** One JSON object per line: the export format for machines. */
export function toNdjsonLine(entry: HistoryEntry & { leadId?: string }): string {
  return `${JSON.stringify(entry)}\n`;
}

export const CSV_COLUMNS = [
  'position',
  'streamId',
  'revision',
  'eventId',
  'type',
  'schemaVersion',
  'occurredAt',
  'recordedAt',
  'actor',
  'actorName',
  'onBehalfOf',
  'command',
  'correlationId',
  'causationId',
  'tenantId',
  'stageBefore',
  'stageAfter',
  'scoreBefore',
  'scoreAfter',
  'opportunityStatusBefore',
  'opportunityStatusAfter',
  'hash',
  'data',
] as const;

/**
 * First characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection"): `=`, `+`,
 * `-`, `@`, tab and carriage return.
 */
export const FORMULA_TRIGGERS: readonly string[] = ['=', '+', '-', '@', '\t', '\r'];

/**
 * One CSV cell. RFC 4180 quoting (a cell with `"`, `,`, CR or LF is quoted, `"` doubled), and the OWASP
 * rule against CSV injection: a cell that starts with a formula trigger gets a single quote in front
 * and is always quoted, so Excel, LibreOffice and Google Sheets show it as text instead of running it.
 * The rule is applied to the text of every cell, whatever the column: a negative number such as a
 * score of -5 is written `"'-5"` too (OWASP's rule, which cannot tell a number from a formula such as
 * `-2+3+cmd|' /C calc'!A0`); strip the leading `'` of such a cell to get the value back.
 */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.length > 0 && FORMULA_TRIGGERS.includes(text[0])) return `"'${text.replace(/"/g, '""')}"`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvHeader = () => `${CSV_COLUMNS.join(',')}\n`;

/**
 * One row per event (RFC 4180 quoting, formula triggers neutralised: see `csvCell`); the payload as
 * JSON in the last column.
 */
export function toCsvRow(e: HistoryEntry): string {
  const m = e.metadata as HistoryEntry['metadata'] & { integrity?: { hash?: string } };
  const t = e.transition;
  const row = [
    e.position,
    e.streamId,
    e.revision,
    e.eventId,
    e.type,
    e.schemaVersion,
    m.occurredAt,
    m.recordedAt,
    m.actor,
    m.actorName,
    m.onBehalfOf,
    m.command,
    m.correlationId,
    m.causationId,
    m.tenantId,
    t.stage?.before,
    t.stage?.after,
    t.score?.before,
    t.score?.after,
    t.opportunityStatus?.before,
    t.opportunityStatus?.after,
    m.integrity?.hash,
    e.data,
  ];
  return `${row.map(csvCell).join(',')}\n`;
}
