import { LEGACY_ISO_TIME_FORMS } from '../../../../test/support/issue-11-time-forms';
import fc from 'fast-check';
import {
  type BusinessTimeWindow,
  businessTimeProblem,
  businessTimeWindowProblem,
  calendarDateProblem,
  parseBusinessTime,
  parseCalendarDate,
  readBusinessTime,
  withBusinessTime,
} from './business-time';
import { InvalidCommandError } from './domain-error';

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm): an oracle independent of Date. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const monthLength = (y: number, m: number) => [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  fraction: string;
  t: 'T' | 't';
  zone: { kind: 'Z' | 'z' } | { kind: 'offset'; sign: '+' | '-'; hours: number; minutes: number };
}

const partsArb: fc.Arbitrary<Parts> = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    dayFraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    fraction: fc.oneof(fc.constant(''), fc.stringMatching(/^[0-9]{1,12}$/)),
    t: fc.constantFrom('T' as const, 't' as const),
    zone: fc.oneof(
      fc.constantFrom({ kind: 'Z' as const }, { kind: 'z' as const }),
      fc.record({ kind: fc.constant('offset' as const), sign: fc.constantFrom('+' as const, '-' as const), hours: fc.integer({ min: 0, max: 23 }), minutes: fc.integer({ min: 0, max: 59 }) }),
    ),
  })
  .map(({ dayFraction, ...p }) => ({ ...p, day: 1 + Math.floor(dayFraction * monthLength(p.year, p.month)) }));

function format(p: Parts): string {
  const zone = p.zone.kind === 'offset' ? `${p.zone.sign}${pad(p.zone.hours)}:${pad(p.zone.minutes)}` : p.zone.kind;
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}${p.t}${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${p.fraction ? `.${p.fraction}` : ''}${zone}`;
}

/** The instant the parts denote, in ms, milliseconds truncated. */
function instantOf(p: Parts): number {
  const offset = p.zone.kind === 'offset' ? (p.zone.sign === '-' ? -1 : 1) * (p.zone.hours * 60 + p.zone.minutes) : 0;
  const millis = Number((p.fraction + '000').slice(0, 3));
  return ((daysFromCivil(p.year, p.month, p.day) * 24 + p.hour) * 60 + p.minute - offset) * 60_000 + p.second * 1000 + millis;
}

const MIN = daysFromCivil(0, 1, 1) * 86_400_000;
const MAX = daysFromCivil(10000, 1, 1) * 86_400_000;
const NORMALISED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('business time: RFC 3339 date-time with offset, normalised to UTC milliseconds', () => {
  it('reads every valid RFC 3339 date-time as the instant it denotes, in the one UTC form', () => {
    fc.assert(
      fc.property(partsArb, (parts) => {
        const text = format(parts);
        const expected = instantOf(parts);
        const parsed = parseBusinessTime(text);
        if (expected < MIN || expected >= MAX) {
          // Valid as written, but before year 0000 or after 9999 once in UTC.
          expect(parsed).toBeUndefined();
          return;
        }
        expect(parsed).toMatch(NORMALISED);
        expect(Date.parse(parsed!)).toBe(expected);
        // The normalised form is itself a business time, and a fixed point.
        expect(parseBusinessTime(parsed)).toBe(parsed);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['2026-02-01T10:00:00Z', '2026-02-01T10:00:00.000Z'],
    ['2026-02-01T11:00:00+01:00', '2026-02-01T10:00:00.000Z'],
    ['2026-02-01t10:00:00.5z', '2026-02-01T10:00:00.500Z'],
    ['2026-02-01T10:00:00-00:00', '2026-02-01T10:00:00.000Z'],
    ['2026-01-01T01:00:00.123999+02:00', '2025-12-31T23:00:00.123Z'],
    ['2024-02-29T23:59:59.9999999Z', '2024-02-29T23:59:59.999Z'],
    ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['0099-01-01T00:00:00Z', '0099-01-01T00:00:00.000Z'],
  ])('normalises %s to %s (fractions beyond ms truncated, never rounded)', (input, expected) => {
    expect(parseBusinessTime(input)).toBe(expected);
  });

  it.each([
    // the forms of issue 11 that the old validation let through
    ...LEGACY_ISO_TIME_FORMS,
    // more ISO 8601 that is not RFC 3339
    '2026',
    '2026-W05',
    '20260201T100000Z',
    '2026-02-01T1000Z',
    '2026-02-01T10:00:00+0100',
    '2026-02-01T10:00:00+01',
    '2026-02-01 10:00:00Z',
    '2026-02-01T10:00:00,5Z',
    '2026-02-01T10:00:00.Z',
    '+2026-02-01T10:00:00Z',
    '-0001-12-31T00:00:00Z',
    '12026-02-01T10:00:00Z',
    ' 2026-02-01T10:00:00Z',
    '2026-02-01T10:00:00Z ',
    '2026-02-01T10:00:00Z\n',
    '２０２６-02-01T10:00:00Z',
    '',
    'now',
    'Sun, 01 Feb 2026 10:00:00 GMT',
  ])('refuses %j with a reason', (value) => {
    expect(parseBusinessTime(value)).toBeUndefined();
    expect(businessTimeProblem('occurredAt', value)).toEqual({ field: 'occurredAt', reason: expect.stringContaining('RFC 3339') });
  });

  it.each([
    ['2026-02-30T10:00:00Z', 'calendar'],
    ['2025-02-29T10:00:00Z', 'calendar'],
    ['2026-13-01T10:00:00Z', 'calendar'],
    ['2026-00-01T10:00:00Z', 'calendar'],
    ['2026-04-31T10:00:00Z', 'calendar'],
    ['2026-02-01T24:00:00Z', 'calendar'],
    ['2026-02-01T10:60:00Z', 'calendar'],
    ['2026-06-30T23:59:60Z', 'leap second'],
    ['2026-02-01T10:00:00+24:00', 'offset'],
    ['2026-02-01T10:00:00+01:60', 'offset'],
    ['0000-01-01T00:00:00+00:01', '0000 and 9999'],
    ['9999-12-31T23:59:59-00:01', '0000 and 9999'],
  ])('refuses %s (%s)', (value, why) => {
    const parsed = readBusinessTime(value);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain(why);
  });

  it('refuses every generated non-RFC-3339 variant of a valid time', () => {
    const variants = (p: Parts): string[] => {
      const date = `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
      const time = `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
      return [
        date, // date only
        `${date}T${time}`, // no offset
        `${date}T${pad(p.hour)}:${pad(p.minute)}Z`, // no seconds
        `${date}T${pad(p.hour)}Z`, // hour only
        `${date} ${time}Z`, // space separator
        `${date.replace(/-/g, '')}T${time.replace(/:/g, '')}Z`, // basic format
        `${date}T${time}+${pad(p.hour)}${pad(p.minute)}`, // offset without colon
        `${pad(p.year, 4)}-W${pad(1 + (p.day % 52))}-${1 + (p.day % 7)}`, // week date
        `${pad(p.year, 4)}-${pad(p.day, 3)}`, // ordinal date
        `${pad(p.year, 4)}-${pad(p.month)}`, // reduced precision
        `${date}T${pad(p.hour)}:${pad(p.minute)}:60Z`, // leap second
      ];
    };
    fc.assert(
      fc.property(partsArb, (parts) => {
        for (const variant of variants(parts)) expect(parseBusinessTime(variant)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 1767261600000, {}, ['2026-02-01T10:00:00Z'], new Date()]) {
      expect(parseBusinessTime(value)).toBeUndefined();
    }
  });
});

describe('business time window around now', () => {
  const now = new Date('2026-06-01T12:00:00.000Z');
  const window: BusinessTimeWindow = { maxFutureSkewSeconds: 300, maxBackdateDays: 3650 };

  it('accepts now, the skew ahead and the backdate limit behind', () => {
    expect(businessTimeWindowProblem('occurredAt', '2026-06-01T12:05:00.000Z', now, window)).toBeUndefined();
    expect(businessTimeWindowProblem('occurredAt', '2026-06-01T12:00:00Z', now, window)).toBeUndefined();
    expect(businessTimeWindowProblem('occurredAt', new Date(now.getTime() - 3650 * 86_400_000).toISOString(), now, window)).toBeUndefined();
  });

  it('refuses a time beyond the skew, naming the field', () => {
    expect(businessTimeWindowProblem('occurredAt', '2026-06-01T12:05:00.001Z', now, window)).toEqual({
      field: 'occurredAt',
      reason: expect.stringContaining('future'),
    });
    expect(businessTimeWindowProblem('occurredAt', '9999-12-31T23:59:59Z', now, window)?.reason).toContain('300 s');
  });

  it('refuses a time backdated beyond the limit', () => {
    const tooOld = new Date(now.getTime() - 3650 * 86_400_000 - 1).toISOString();
    expect(businessTimeWindowProblem('occurredAt', tooOld, now, window)).toEqual({ field: 'occurredAt', reason: expect.stringContaining('3650 days') });
    expect(businessTimeWindowProblem('occurredAt', '0000-01-01T00:00:00Z', now, window)).toBeDefined();
  });

  it('compares instants, whatever the offset', () => {
    // 14:04+02:00 is 12:04Z: inside; 14:06+02:00 is 12:06Z: outside.
    expect(businessTimeWindowProblem('at', '2026-06-01T14:04:00+02:00', now, window)).toBeUndefined();
    expect(businessTimeWindowProblem('at', '2026-06-01T14:06:00+02:00', now, window)).toBeDefined();
  });
});

describe('calendar date (expectedCloseDate)', () => {
  it.each(['2026-12-31', '2024-02-29', '0000-01-01', '9999-12-31'])('accepts %s as it is', (value) => {
    expect(parseCalendarDate(value)).toBe(value);
  });

  it.each(['2026-02-30', '2025-02-29', '2026-13-01', '2026-12-31T00:00:00Z', '20261231', '2026-W53-1', '2026-365', '2026-12', '31.12.2026', ''])(
    'refuses %j',
    (value) => {
      expect(parseCalendarDate(value)).toBeUndefined();
      expect(calendarDateProblem('expectedCloseDate', value)?.reason).toContain('YYYY-MM-DD');
    },
  );
});

describe('withBusinessTime (the deciders)', () => {
  it('normalises the command time', () => {
    expect(withBusinessTime({ type: 'X', occurredAt: '2026-02-01T11:00:00+01:00' })).toEqual({ type: 'X', occurredAt: '2026-02-01T10:00:00.000Z' });
  });

  it('returns the same command when already normalised', () => {
    const command = { occurredAt: '2026-02-01T10:00:00.000Z' };
    expect(withBusinessTime(command)).toBe(command);
  });

  it('refuses a command with a time that is not RFC 3339, naming occurredAt', () => {
    expect(() => withBusinessTime({ occurredAt: '2026-W05-1' })).toThrow(InvalidCommandError);
    expect(() => withBusinessTime({ occurredAt: '2026-02-01' })).toThrow(
      expect.objectContaining({ problems: [{ field: 'occurredAt', reason: expect.stringContaining('RFC 3339') }] }),
    );
  });
});

describe('business time: the normalised form read by position', () => {
  // The oracle is independent of both readers: a normalised time is exactly a string that the engine's
  // own Date writes back unchanged (no 24:00, no 30 February, no :60, four-digit years only).
  const oracle = (value: string) => {
    const ms = Date.parse(value);
    return Number.isFinite(ms) && new Date(ms).toISOString() === value ? ms : undefined;
  };
  const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));

  it('answers every valid normalised time with its own string and the instant Date gives it', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('0000-01-01T00:00:00.000Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }), (ms) => {
        const value = new Date(ms).toISOString();
        expect(readBusinessTime(value)).toEqual({ ok: true, value, ms });
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses, with a reason, every normalised-looking string that is not a real time, and reads the rest right', () => {
    // Fields around their bounds (month 13, day 31 of a short month, hour 24, second 60), and any digits.
    const near = (max: number) => fc.oneof(fc.integer({ min: 0, max: max + 1 }).map((n) => String(n).padStart(2, '0')), digits(2));
    const shaped = fc
      .tuple(digits(4), near(12), near(31), near(23), near(59), near(59), digits(3))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    fc.assert(
      fc.property(shaped, (value) => {
        const expected = oracle(value);
        const parsed = readBusinessTime(value);
        if (expected === undefined) {
          expect(parsed.ok).toBe(false);
          if (!parsed.ok) expect(parsed.reason).toMatch(/must/);
        } else {
          expect(parsed).toEqual({ ok: true, value, ms: expected });
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('reads the first centuries as they are written, not as 19xx', () => {
    expect(readBusinessTime('0042-03-01T00:00:00.000Z')).toEqual({ ok: true, value: '0042-03-01T00:00:00.000Z', ms: Date.parse('0042-03-01T00:00:00.000Z') });
    expect(readBusinessTime('0000-02-29T12:00:00.000Z').ok).toBe(true); // year 0 is a leap year
    expect(readBusinessTime('0100-02-29T12:00:00.000Z').ok).toBe(false);
  });
});
