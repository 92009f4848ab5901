/** The answer a request with an Idempotency-Key got, kept so that a retry gets it again instead of running again. */
export interface IdempotencyRecord {
  readonly tenantId: string;
  readonly key: string;
  /** Hash of the method, path and canonical JSON body of the request that used the key first. */
  readonly fingerprint: string;
  /** HTTP status of the answer. */
  readonly status: number;
  /** The answer's body as JSON text (null when it had none). */
  readonly body: string | null;
  readonly recordedAt: Date;
  /** From then on the key is free again. */
  readonly expiresAt: Date;
}

/**
 * Answers recorded by Idempotency-Key, per tenant. Durable, so a retry after a restart is still
 * answered from here. An expired record counts as absent.
 */
export interface IdempotencyStore {
  /** The record of the key, unless none or expired at `now`. */
  find(tenantId: string, key: string, now: Date): IdempotencyRecord | undefined;
  /** Keeps `record`, unless the key has an unexpired one already: answers the record kept (the first answer stays). */
  save(record: IdempotencyRecord): IdempotencyRecord;
  /** Drops the records expired at `now`; answers how many. */
  purgeExpired(now: Date): number;
  close(): void;
}
