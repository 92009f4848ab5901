/** A fact decided by an aggregate. Payloads carry their business time as `occurredAt` (ISO 8601). */
export interface DomainEvent<Type extends string = string, Data extends { occurredAt: string } = { occurredAt: string }> {
  readonly type: Type;
  readonly data: Data;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The later of two ISO 8601 times; `b` may be absent. */
export function laterOf(a: string, b: string | undefined): string {
  return b !== undefined && Date.parse(b) > Date.parse(a) ? b : a;
}
