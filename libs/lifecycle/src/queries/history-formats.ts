import { HistoryEntry } from './lead-history';

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

const cell = (value: unknown): string => {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export const csvHeader = () => `${CSV_COLUMNS.join(',')}\n`;

/** One row per event (RFC 4180 quoting); the payload as JSON in the last column. */
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
  return `${row.map(cell).join(',')}\n`;
}
