import { Transform } from 'class-transformer';

/**
 * Rewrites a valid ISO 8601 time as UTC (`…Z`), so every stored business time has one form and sorts
 * as it compares. Anything else is left for the validator to refuse.
 */
export const ToUtc = () =>
  Transform(({ value }) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) && /T/.test(value) ? new Date(value).toISOString() : value));
