import { type FieldProblem, InvalidCommandError } from './domain-error';

/**
 * The engine's one time type. A business time (when a fact happened in the world) is an RFC 3339
 * `date-time` with a time zone offset, normalised to UTC with exactly three fractional digits:
 * `YYYY-MM-DDTHH:mm:ss.sssZ`. The DTOs, the deciders, the upcasters and the read side all use this
 * parser, so a time that passes one passes them all, and every stored time sorts as it compares.
 *
 * Decisions (RFC 3339 §5.6 leaves some of them open):
 * - seconds are required; fractional seconds may have any number of digits and are TRUNCATED to
 *   milliseconds (never rounded: rounding could carry into the next second, minute or even year);
 * - `T` or `t` between date and time, `Z` or `z` for UTC (RFC 3339 allows lower case); no space;
 * - offsets `±hh:mm` with hh ≤ 23 and mm ≤ 59; `-00:00` ("offset unknown") is read as UTC;
 * - the calendar is checked (no 30 February, month 13, hour 24); a leap second (`:60`) is refused,
 *   because a JavaScript Date cannot hold it and normalising it would silently move the time;
 * - the year is 0000–9999, in the time as written and in UTC.
 */

/** A normalised business time: `YYYY-MM-DDTHH:mm:ss.sssZ`, UTC. */
export type BusinessTime = string;

/** How far from "now" a business time given with a command may lie (see LifecycleConfig.time). */
export interface BusinessTimeWindow {
  /** Seconds a time may lie in the future, for clocks that are slightly ahead. */
  readonly maxFutureSkewSeconds: number;
  /** Days a time may lie in the past (backdated imports, late events). */
  readonly maxBackdateDays: number;
}

const RFC3339_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const YEAR_0000 = yearStartMs(0);
const YEAR_10000 = yearStartMs(10000);

/** What a parsed value says, or why it is not a business time. */
export type BusinessTimeParse = { readonly ok: true; readonly value: BusinessTime; readonly ms: number } | { readonly ok: false; readonly reason: string };

export const BUSINESS_TIME_EXAMPLE = '2026-02-01T10:00:00Z';
const FORMAT_REASON = `must be an RFC 3339 date-time with seconds and a time zone offset, e.g. ${BUSINESS_TIME_EXAMPLE} or 2026-02-01T11:00:00.000+01:00`;

/** Parses a business time and says why it is refused; see the module comment for the rules. */
export function readBusinessTime(value: unknown): BusinessTimeParse {
  if (typeof value !== 'string') return { ok: false, reason: FORMAT_REASON };
  return readNormalised(value) ?? readAnyForm(value);
}

/** The value of an ASCII digit, or -1: `'0'` is 48. */
const digitAt = (value: string, index: number): number => {
  const d = value.charCodeAt(index) - 48;
  return d >= 0 && d <= 9 ? d : -1;
};

/** The number written by `length` digits from `start`, or -1 when one of them is not a digit. */
function digitsAt(value: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const d = digitAt(value, i);
    if (d < 0) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The normalised form (`YYYY-MM-DDTHH:mm:ss.sssZ`) read by position: every stored event holds its times
 * in it, and reading them is most of what folding a long stream or rebuilding a read model costs, so
 * this path takes no regular expression and builds no Date string. Anything else, or a normalised-looking
 * value that is not a real time, goes to the general reader, which also says why it is refused.
 */
function readNormalised(value: string): BusinessTimeParse | undefined {
  if (value.length !== 24) return undefined;
  // - - T : : . Z at their places (45, 84, 58, 46, 90 in ASCII).
  const c = (i: number) => value.charCodeAt(i);
  if (c(4) !== 45 || c(7) !== 45 || c(10) !== 84 || c(13) !== 58 || c(16) !== 58 || c(19) !== 46 || c(23) !== 90) return undefined;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 2);
  const day = digitsAt(value, 8, 2);
  const hour = digitsAt(value, 11, 2);
  const minute = digitsAt(value, 14, 2);
  const second = digitsAt(value, 17, 2);
  const millis = digitsAt(value, 20, 3);
  if (year < 0 || millis < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  if (!isCalendarDate(year, month, day)) return undefined;
  // Date.UTC moves years 0–99 to 19xx; utcMs does not, at the price of a Date.
  const ms = year >= 100 ? Date.UTC(year, month - 1, day, hour, minute, second, millis) : utcMs(year, month, day, hour, minute, second, millis);
  return { ok: true, value, ms };
}

function readAnyForm(value: string): BusinessTimeParse {
  const m = RFC3339_DATE_TIME.exec(value);
  if (!m) return { ok: false, reason: FORMAT_REASON };
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (second === 60) return { ok: false, reason: 'must not be a leap second (:60); use :59.999 or the next second' };
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) {
    return { ok: false, reason: 'must be a real calendar date and time (month 01–12, a day of that month, hour 00–23, minute and second 00–59)' };
  }
  let offsetMinutes = 0;
  if (!m[8]) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return { ok: false, reason: 'must have a time zone offset between -23:59 and +23:59' };
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  // Truncation, not rounding: only the first three fractional digits count.
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const ms = utcMs(year, month, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  if (ms < YEAR_0000 || ms >= YEAR_10000) return { ok: false, reason: 'must lie between the years 0000 and 9999 in UTC' };
  return { ok: true, value: new Date(ms).toISOString(), ms };
}

/** The normalised UTC form of a business time, or undefined when `value` is not one. */
export function parseBusinessTime(value: unknown): BusinessTime | undefined {
  const parsed = readBusinessTime(value);
  return parsed.ok ? parsed.value : undefined;
}

/** True when `value` is a business time (in any accepted form, not only the normalised one). */
export function isBusinessTime(value: unknown): value is string {
  return readBusinessTime(value).ok;
}

/** The problem with `value` as the business time `field`, or undefined when it is one. */
export function businessTimeProblem(field: string, value: unknown): FieldProblem | undefined {
  const parsed = readBusinessTime(value);
  return parsed.ok ? undefined : { field, reason: parsed.reason };
}

/** Milliseconds since the epoch of a business time, NaN for anything else (unlike Date.parse, which reads 30 February). */
export function instantOf(value: unknown): number {
  const parsed = readBusinessTime(value);
  return parsed.ok ? parsed.ms : Number.NaN;
}

/** Milliseconds since the epoch of a business time; throws on anything else (a programming error). */
export function businessTimeMs(value: string): number {
  const parsed = readBusinessTime(value);
  if (!parsed.ok) throw new RangeError(`not a business time: ${JSON.stringify(value)}`);
  return parsed.ms;
}

/**
 * The problem with a (valid) business time that lies outside the window around `now`: later than
 * now plus the skew, or earlier than now minus the backdate limit. Undefined when inside.
 */
export function businessTimeWindowProblem(field: string, value: string, now: Date, window: BusinessTimeWindow): FieldProblem | undefined {
  const parsed = readBusinessTime(value);
  if (!parsed.ok) return { field, reason: parsed.reason };
  const latest = now.getTime() + window.maxFutureSkewSeconds * 1000;
  if (parsed.ms > latest) {
    return { field, reason: `must not lie in the future: at most ${window.maxFutureSkewSeconds} s after now (${new Date(latest).toISOString()})` };
  }
  const earliest = now.getTime() - window.maxBackdateDays * 86_400_000;
  if (parsed.ms < earliest) {
    return { field, reason: `must not lie more than ${window.maxBackdateDays} days in the past (before ${new Date(earliest).toISOString()})` };
  }
  return undefined;
}

export const CALENDAR_DATE_EXAMPLE = '2026-12-31';
const DATE_REASON = `must be a calendar date YYYY-MM-DD (RFC 3339 full-date), e.g. ${CALENDAR_DATE_EXAMPLE}`;

/** A calendar date (RFC 3339 `full-date`, a real day), as given; undefined for anything else. */
export function parseCalendarDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = FULL_DATE.exec(value);
  return m && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3])) ? value : undefined;
}

/** The problem with `value` as the calendar date `field`, or undefined when it is one. */
export function calendarDateProblem(field: string, value: unknown): FieldProblem | undefined {
  return parseCalendarDate(value) === undefined ? { field, reason: DATE_REASON } : undefined;
}

/** Proleptic Gregorian calendar, year 0 a leap year (as in ISO 8601 and JavaScript). */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isCalendarDate(year: number, month: number, day: number): boolean {
  return Number.isInteger(year) && year >= 0 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** UTC milliseconds of a calendar date and time; unlike Date.UTC, years 0–99 are not moved to 19xx. */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): number {
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

function yearStartMs(year: number): number {
  return utcMs(year, 1, 1);
}

/**
 * The command with its `occurredAt` normalised to UTC; refuses a command whose `occurredAt` is not a
 * business time with InvalidCommandError naming the field (library users reach the deciders directly).
 */
export function withBusinessTime<C extends { readonly occurredAt: string }>(command: C): C {
  const parsed = readBusinessTime(command.occurredAt);
  if (!parsed.ok) throw new InvalidCommandError([{ field: 'occurredAt', reason: parsed.reason }]);
  return parsed.value === command.occurredAt ? command : { ...command, occurredAt: parsed.value };
}
