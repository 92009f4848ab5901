/** A fact decided by an aggregate. Payloads carry their business time as `occurredAt` (ISO 8601). */
export interface DomainEvent<Type extends string = string, Data extends { occurredAt: string } = { occurredAt: string }> {
  readonly type: Type;
  readonly data: Data;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
