import { DateTime } from 'luxon';
import { type BusinessCalendar, type SlaCalendar } from '../config/sla-config';

/**
 * How far a search for the next working day may go. A calendar always has at least one weekday and a
 * finite list of holidays, so this is only reached by a duration of decades of business time.
 */
const MAX_DAYS = 366 * 50;

/** One stretch of business time: a working day's hours, as instants (DST already applied by luxon). */
interface Window {
  readonly open: DateTime;
  readonly close: DateTime;
}

/** The business hours of the local day of `day` (any instant in it), or none on a weekend day or holiday. */
function windowOf(day: DateTime, calendar: BusinessCalendar): Window | undefined {
  if (!calendar.days.includes(day.weekday)) return undefined;
  if (calendar.holidays?.includes(day.toISODate()!)) return undefined;
  const at = (clock: string) => {
    const [hour, minute] = clock.split(':').map(Number);
    // In a DST gap (02:30 that never happens) luxon moves forward to the next real instant.
    return day.set({ hour, minute, second: 0, millisecond: 0 });
  };
  const open = at(calendar.hours.from);
  const close = at(calendar.hours.to);
  return close > open ? { open, close } : undefined;
}

function startOfNextDay(day: DateTime): DateTime {
  return day.startOf('day').plus({ days: 1 }).startOf('day');
}

/**
 * When `ms` of business time have passed since `start`: on a 24x7 calendar plain addition; otherwise
 * the clock runs only inside `hours` (local to `timeZone`) on the listed ISO weekdays, and not on the
 * holidays (local dates). A start outside business hours waits for the next opening. The due time is
 * always inside business hours (at most the closing time of its day).
 */
export function addBusinessTime(start: string, ms: number, calendar: SlaCalendar): string {
  const startMs = Date.parse(start);
  if (Number.isNaN(startMs)) throw new RangeError(`not an instant: ${start}`);
  if (!(ms > 0)) throw new RangeError(`business time must be positive (got ${ms})`);
  if (calendar === '24x7') return new Date(startMs + ms).toISOString();
  let remaining = ms;
  let cursor: DateTime = DateTime.fromMillis(startMs, { zone: calendar.timeZone });
  for (let day = 0; day < MAX_DAYS; day++) {
    const window = windowOf(cursor, calendar);
    if (window) {
      const from = cursor > window.open ? cursor : window.open;
      const available = window.close.toMillis() - from.toMillis();
      if (available > 0) {
        if (remaining <= available) return new Date(from.toMillis() + remaining).toISOString();
        remaining -= available;
      }
    }
    cursor = startOfNextDay(cursor);
  }
  throw new RangeError(`no due time within ${MAX_DAYS} days: the calendar has too little business time for the duration`);
}

/** Business time (ms) between two instants on the calendar: the inverse of {@link addBusinessTime}. */
export function businessTimeBetween(start: string, end: string, calendar: SlaCalendar): number {
  const startMs = Date.parse(start);
  const endMs = Date.parse(end);
  if (endMs <= startMs) return 0;
  if (calendar === '24x7') return endMs - startMs;
  let total = 0;
  let cursor: DateTime = DateTime.fromMillis(startMs, { zone: calendar.timeZone });
  while (cursor.toMillis() < endMs) {
    const window = windowOf(cursor, calendar);
    if (window) {
      const from = Math.max(cursor.toMillis(), window.open.toMillis());
      const to = Math.min(endMs, window.close.toMillis());
      if (to > from) total += to - from;
    }
    cursor = startOfNextDay(cursor);
  }
  return total;
}

/** Whether `instant` lies inside business hours (opening and closing time included). Always true on 24x7. */
export function isWithinBusinessHours(instant: string, calendar: SlaCalendar): boolean {
  if (calendar === '24x7') return true;
  const at = DateTime.fromMillis(Date.parse(instant), { zone: calendar.timeZone });
  const window = windowOf(at, calendar);
  return window !== undefined && at >= window.open && at <= window.close;
}
