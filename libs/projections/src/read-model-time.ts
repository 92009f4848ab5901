import { businessTimeProblem, InvalidCommandError, parseBusinessTime } from '@lead-lifecycle/domain';

/**
 * A business time as the read models store it: the engine's one form (UTC, milliseconds, see
 * libs/domain/src/shared/business-time.ts), so SQL comparisons and sorts of the text agree with time
 * order. Events reach the projections upcast (legacy ISO 8601 forms already normalised); a time that
 * is still not RFC 3339 cannot be placed in time, so the event is refused (poison for its lead).
 */
export function utcTime(value: unknown): string {
  const time = parseBusinessTime(value);
  if (time === undefined) throw new Error(`not an RFC 3339 business time: ${JSON.stringify(value)}`);
  return time;
}

/** A query's time parameter, normalised; an invalid one is a 400 naming the parameter. */
export function timeParam(field: string, value: string): string {
  const time = parseBusinessTime(value);
  if (time === undefined) throw new InvalidCommandError([businessTimeProblem(field, value)!]);
  return time;
}
