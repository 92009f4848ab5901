import { Duration } from 'luxon';

/**
 * ISO 8601 durations (`PT4H`, `P14D`, `PT30S`) as configuration writes them. Parsed by luxon rather than
 * by hand; months and years are refused because their length depends on the calendar, and a deadline
 * must be the same on every instance.
 */
export function isoDurationProblem(text: unknown): string | undefined {
  if (typeof text !== 'string') return 'must be an ISO 8601 duration such as PT4H or P14D';
  const duration = Duration.fromISO(text);
  if (!duration.isValid) return 'must be an ISO 8601 duration such as PT4H or P14D';
  if (duration.years || duration.quarters || duration.months) return 'must not use years or months (their length varies); use days';
  if (duration.toMillis() <= 0) return 'must be longer than zero';
  return undefined;
}

/** Milliseconds of an ISO 8601 duration already checked by {@link isoDurationProblem}. */
export function durationMs(text: string): number {
  return Duration.fromISO(text).toMillis();
}

/** `instant` plus the duration, as an ISO instant (fixed length: days are 24 hours). */
export function addDuration(instant: string, text: string): string {
  return new Date(Date.parse(instant) + durationMs(text)).toISOString();
}
