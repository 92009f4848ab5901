import { instantOf } from './business-time';

/** A fact decided by an aggregate. Payloads carry their business time as `occurredAt` (RFC 3339, UTC; see business-time.ts). */
export interface DomainEvent<Type extends string = string, Data extends { occurredAt: string } = { occurredAt: string }> {
  readonly type: Type;
  readonly data: Data;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The later of two business times; `b` may be absent. A time that is not a business time (stored
 * before times were validated, and not interpretable) never wins over one that is.
 */
export function laterOf(a: string, b: string | undefined): string {
  const bMs = b === undefined ? Number.NaN : instantOf(b);
  if (Number.isNaN(bMs)) return a;
  const aMs = instantOf(a);
  return Number.isNaN(aMs) || bMs > aMs ? b! : a;
}
