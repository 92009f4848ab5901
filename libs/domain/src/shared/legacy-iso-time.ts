import { isCalendarDate, isLeapYear, parseBusinessTime, utcMs } from './business-time';

/**
 * Reads the ISO 8601 forms that the API let through before business times became RFC 3339
 * (`@IsISO8601({ strict: true })`), for the upcasters of stored events only — never for new input.
 *
 *   calendar  2026-02-01, 20260201, 2026-02, 2026 (the start of the month or year)
 *   week      2026-W05-1, 2026W051, 2026-W05 (Monday of the ISO week)
 *   ordinal   2026-032, 2026032
 *   time      after `T`, `t` or a space: hh, hh:mm, hhmm, hh:mm:ss, hhmmss, with a fraction (`.` or `,`)
 *             of the last unit given, and 24:00 (midnight at the end of the day)
 *   zone      Z, z, ±hh, ±hh:mm, ±hhmm; none means UTC
 *
 * A missing time is midnight, a missing offset is UTC, fractions beyond milliseconds are truncated.
 * Anything else (a leap second, week 53 of a 52-week year, day 366 of a common year, a year outside
 * 0000–9999 in UTC, text that is no ISO 8601 at all) cannot be interpreted: undefined.
 */
const LEGACY_ISO =
  /^([+-]?)(\d{4})(?:(-?)(?:(\d{2})(?:\3(\d{2}))?|W(\d{2})(?:-?([1-7]))?|(\d{3})))?(?:[Tt ](?:(\d{2})(?:(:?)(\d{2})(?:\10(\d{2}))?)?([.,]\d+)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

interface LegacyTime {
  /** The calendar date as written (before the offset is applied). */
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** Milliseconds after the local midnight of that date (up to 24 h). */
  readonly timeMs: number;
  readonly offsetMinutes: number;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function read(value: string): LegacyTime | undefined {
  const m = LEGACY_ISO.exec(value);
  if (!m) return undefined;
  const [, sign, yearText, , monthText, dayText, weekText, weekdayText, ordinalText, hourText, , minuteText, secondText, fraction, zone] = m;
  if (sign === '-') return undefined;
  const year = Number(yearText);
  const date = calendarDateOf(year, monthText, dayText, weekText, weekdayText, ordinalText);
  if (!date) return undefined;
  const timeMs = hourText === undefined ? 0 : timeOf(hourText, minuteText, secondText, fraction);
  if (timeMs === undefined) return undefined;
  const offsetMinutes = offsetOf(zone);
  if (offsetMinutes === undefined) return undefined;
  return { ...date, timeMs, offsetMinutes };
}

function calendarDateOf(
  year: number,
  monthText: string | undefined,
  dayText: string | undefined,
  weekText: string | undefined,
  weekdayText: string | undefined,
  ordinalText: string | undefined,
): { year: number; month: number; day: number } | undefined {
  if (weekText !== undefined) {
    const week = Number(weekText);
    if (week < 1 || week > isoWeeksIn(year)) return undefined;
    const weekday = weekdayText === undefined ? 1 : Number(weekdayText);
    // Week 1 is the week with 4 January in it; weeks start on Monday.
    const jan4 = utcMs(year, 1, 4);
    const mondayOfWeek1 = jan4 - (isoWeekday(jan4) - 1) * DAY_MS;
    return dateOf(mondayOfWeek1 + ((week - 1) * 7 + weekday - 1) * DAY_MS);
  }
  if (ordinalText !== undefined) {
    const ordinal = Number(ordinalText);
    if (ordinal < 1 || ordinal > (isLeapYear(year) ? 366 : 365)) return undefined;
    return dateOf(utcMs(year, 1, 1) + (ordinal - 1) * DAY_MS);
  }
  const month = monthText === undefined ? 1 : Number(monthText);
  const day = dayText === undefined ? 1 : Number(dayText);
  return isCalendarDate(year, month, day) ? { year, month, day } : undefined;
}

function timeOf(hourText: string, minuteText?: string, secondText?: string, fraction?: string): number | undefined {
  const hour = Number(hourText);
  const minute = minuteText === undefined ? 0 : Number(minuteText);
  const second = secondText === undefined ? 0 : Number(secondText);
  if (minute > 59 || second > 59) return undefined;
  const unitMs = secondText !== undefined ? 1000 : minuteText !== undefined ? MINUTE_MS : HOUR_MS;
  // Exact fraction of the last unit, truncated to whole milliseconds.
  const digits = fraction?.slice(1) ?? '';
  const fractionMs = digits ? Number((BigInt(unitMs) * BigInt(digits)) / 10n ** BigInt(digits.length)) : 0;
  const total = hour * HOUR_MS + minute * MINUTE_MS + second * 1000 + fractionMs;
  if (hour === 24) return total === DAY_MS ? total : undefined;
  return hour < 24 ? total : undefined;
}

function offsetOf(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  const hours = Number(m[2]);
  const minutes = m[3] === undefined ? 0 : Number(m[3]);
  if (hours > 23 || minutes > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function isoWeekday(ms: number): number {
  return new Date(ms).getUTCDay() || 7;
}

/** 53 when the year starts on a Thursday, or is a leap year starting on a Wednesday; else 52. */
function isoWeeksIn(year: number): number {
  const jan1 = isoWeekday(utcMs(year, 1, 1));
  return jan1 === 4 || (jan1 === 3 && isLeapYear(year)) ? 53 : 52;
}

function dateOf(ms: number): { year: number; month: number; day: number } {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const YEAR_0000 = utcMs(0, 1, 1);
const YEAR_10000 = utcMs(10000, 1, 1);

/**
 * A stored business time in its normalised form: an RFC 3339 date-time as it is, or a legacy ISO 8601
 * form interpreted as described above. Undefined when it cannot be interpreted.
 */
export function normaliseLegacyTime(value: unknown): string | undefined {
  const current = parseBusinessTime(value);
  if (current !== undefined || typeof value !== 'string') return current;
  const legacy = read(value);
  if (!legacy) return undefined;
  const ms = utcMs(legacy.year, legacy.month, legacy.day) + legacy.timeMs - legacy.offsetMinutes * MINUTE_MS;
  return ms >= YEAR_0000 && ms < YEAR_10000 ? new Date(ms).toISOString() : undefined;
}

/**
 * A stored calendar date (expectedCloseDate) as `YYYY-MM-DD`: the date as its writer wrote it (an
 * offset does not move it to another day), from a full-date, an RFC 3339 date-time or a legacy form.
 * Undefined when it cannot be interpreted.
 */
export function normaliseLegacyDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const legacy = read(value);
  if (!legacy) return undefined;
  const local = dateOf(utcMs(legacy.year, legacy.month, legacy.day) + legacy.timeMs);
  if (local.year > 9999) return undefined;
  return `${String(local.year).padStart(4, '0')}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
}
