/** The only source of "now" for the engine; the domain never reads the system time itself. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
