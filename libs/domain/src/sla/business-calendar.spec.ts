import fc from 'fast-check';
import { type BusinessCalendar } from '../config/sla-config';
import { addBusinessTime, businessTimeBetween, isWithinBusinessHours } from './business-calendar';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Monday to Friday, 09:00 to 17:00 in Berlin, Christmas off. */
const berlin: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  days: [1, 2, 3, 4, 5],
  hours: { from: '09:00', to: '17:00' },
  holidays: ['2026-12-25'],
};

describe('business calendar', () => {
  it('adds plainly on a 24x7 calendar', () => {
    expect(addBusinessTime('2026-03-07T23:59:30.000Z', 30_000, '24x7')).toBe('2026-03-08T00:00:00.000Z');
    expect(businessTimeBetween('2026-03-07T00:00:00.000Z', '2026-03-08T00:00:00.000Z', '24x7')).toBe(24 * HOUR);
  });

  it('stays within one day when the hours allow, due exactly at closing time included', () => {
    // Monday 2 March 2026, 10:00 in Berlin (CET, UTC+1).
    expect(addBusinessTime('2026-03-02T09:00:00.000Z', 4 * HOUR, berlin)).toBe('2026-03-02T13:00:00.000Z');
    expect(addBusinessTime('2026-03-02T12:00:00.000Z', 4 * HOUR, berlin)).toBe('2026-03-02T16:00:00.000Z');
  });

  it('carries over an evening boundary to the next morning', () => {
    // Monday 15:00 local + 4 h: 2 h on Monday, 2 h on Tuesday from 09:00 → Tuesday 11:00 local.
    expect(addBusinessTime('2026-03-02T14:00:00.000Z', 4 * HOUR, berlin)).toBe('2026-03-03T10:00:00.000Z');
  });

  it('skips the weekend', () => {
    // Friday 6 March 16:00 local + 2 h → Monday 9 March 10:00 local.
    expect(addBusinessTime('2026-03-06T15:00:00.000Z', 2 * HOUR, berlin)).toBe('2026-03-09T09:00:00.000Z');
    // Started on a Saturday: nothing counts before Monday 09:00.
    expect(addBusinessTime('2026-03-07T10:00:00.000Z', 30 * MINUTE, berlin)).toBe('2026-03-09T08:30:00.000Z');
  });

  it('skips a holiday (a local date)', () => {
    // Thursday 24 December 16:00 local + 2 h: Friday 25th is a holiday, then the weekend → Monday 28th 10:00.
    expect(addBusinessTime('2026-12-24T15:00:00.000Z', 2 * HOUR, berlin)).toBe('2026-12-28T09:00:00.000Z');
    expect(isWithinBusinessHours('2026-12-25T10:00:00.000Z', berlin)).toBe(false);
  });

  it('waits for the opening when started before or after hours', () => {
    // Monday 07:00 local → 09:30 local; Monday 18:00 local → Tuesday 09:30 local.
    expect(addBusinessTime('2026-03-02T06:00:00.000Z', 30 * MINUTE, berlin)).toBe('2026-03-02T08:30:00.000Z');
    expect(addBusinessTime('2026-03-02T17:00:00.000Z', 30 * MINUTE, berlin)).toBe('2026-03-03T08:30:00.000Z');
  });

  it('follows the local clock across a DST change', () => {
    const everyDay: BusinessCalendar = { ...berlin, days: [1, 2, 3, 4, 5, 6, 7] };
    // Saturday 28 March 16:00 CET (15:00Z) + 2 h: 1 h on Saturday, then Sunday 29 March opens at 09:00
    // CEST (07:00Z, clocks went forward that night) → 10:00 CEST = 08:00Z, not 09:00Z.
    expect(addBusinessTime('2026-03-28T15:00:00.000Z', 2 * HOUR, everyDay)).toBe('2026-03-29T08:00:00.000Z');
    // Back in autumn: Saturday 24 October 16:00 CEST (14:00Z) + 2 h → Sunday 25 October 10:00 CET = 09:00Z.
    expect(addBusinessTime('2026-10-24T14:00:00.000Z', 2 * HOUR, everyDay)).toBe('2026-10-25T09:00:00.000Z');
    // New York moves on another weekend (8 March 2026).
    const newYork: BusinessCalendar = { timeZone: 'America/New_York', days: [1, 2, 3, 4, 5, 6, 7], hours: { from: '09:00', to: '17:00' } };
    expect(addBusinessTime('2026-03-07T21:00:00.000Z', 2 * HOUR, newYork)).toBe('2026-03-08T14:00:00.000Z');
  });

  it('counts real hours through a night shift that the clocks change in', () => {
    // 00:00 to 23:59 on Sunday 29 March in Berlin lasts 22 h 59 min of real time (02:00 → 03:00 skipped).
    const allDay: BusinessCalendar = { timeZone: 'Europe/Berlin', days: [7], hours: { from: '00:00', to: '23:59' } };
    expect(businessTimeBetween('2026-03-28T00:00:00.000Z', '2026-03-31T00:00:00.000Z', allDay)).toBe(22 * HOUR + 59 * MINUTE);
  });

  it('refuses a duration that is not positive and a start that is not an instant', () => {
    for (const bad of [0, -1, Number.NaN]) expect(() => addBusinessTime('2026-03-02T09:00:00.000Z', bad, berlin)).toThrow(RangeError);
    expect(() => addBusinessTime('yesterday', HOUR, berlin)).toThrow(RangeError);
  });

  describe('properties', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC', 'America/Sao_Paulo', 'Pacific/Chatham'];
    const clock = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    const calendar: fc.Arbitrary<BusinessCalendar> = fc
      .record({
        timeZone: fc.constantFrom(...zones),
        days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
        hours: fc.tuple(clock, clock).filter(([a, b]) => a < b).map(([from, to]) => ({ from, to })),
        holidays: fc.array(fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true }), { maxLength: 30 }),
      })
      .map((c) => ({ ...c, holidays: c.holidays.map((d) => d.toISOString().slice(0, 10)) }));
    const start = fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2027-06-30T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    const duration = fc.integer({ min: 1, max: 40 * HOUR });

    it('the due time is inside business hours, and exactly the duration of business time after the start', () => {
      fc.assert(
        fc.property(calendar, start, duration, (cal, from, ms) => {
          const due = addBusinessTime(from, ms, cal);
          expect(isWithinBusinessHours(due, cal)).toBe(true);
          expect(businessTimeBetween(from, due, cal)).toBe(ms);
          expect(Date.parse(due)).toBeGreaterThanOrEqual(Date.parse(from) + ms);
        }),
        { numRuns: 300 },
      );
    });

    it('a longer duration is never due earlier, and 24x7 is plain addition', () => {
      fc.assert(
        fc.property(calendar, start, duration, duration, (cal, from, a, b) => {
          const [short, long] = a <= b ? [a, b] : [b, a];
          expect(Date.parse(addBusinessTime(from, short, cal))).toBeLessThanOrEqual(Date.parse(addBusinessTime(from, long, cal)));
          expect(Date.parse(addBusinessTime(from, a, '24x7'))).toBe(Date.parse(from) + a);
        }),
        { numRuns: 200 },
      );
    });
  });
});
