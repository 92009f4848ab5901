import { InvalidCommandError } from '@lead-lifecycle/domain';
import { type ApiKeyRecord, type ApiKeyRefusal, generateApiKey, hashSecret, type NewApiKey, secretMatches, validateNewApiKey } from './api-key';
import type { Role } from './roles';

/** Last use is written at most this often per key: a busy key must not turn every read into a write. */
export const LAST_USE_RESOLUTION_MS = 60_000;

/** What every ApiKeyStore stores for a new key: the record and the hash of its secret (never the secret). */
export interface PreparedApiKey {
  readonly record: ApiKeyRecord;
  readonly secretHash: Buffer;
  /** The key itself, for the creator's answer only. */
  readonly key: string;
}

/** Validates a request and makes its key; throws InvalidCommandError with every problem. */
export function prepareApiKey(input: NewApiKey, now: Date): PreparedApiKey {
  const problems = validateNewApiKey(input, now);
  if (problems.length) throw new InvalidCommandError(problems);
  const { keyId, secret, key } = generateApiKey();
  const record: ApiKeyRecord = {
    keyId,
    tenantId: input.tenantId,
    roles: [...input.roles] as Role[],
    name: input.name,
    ...(input.ownerId !== undefined ? { ownerId: input.ownerId } : {}),
    createdAt: now.toISOString(),
    ...(input.expiresAt !== undefined ? { expiresAt: new Date(input.expiresAt).toISOString() } : {}),
  };
  return { record, secretHash: hashSecret(secret), key };
}

const UNKNOWN_HASH = hashSecret('no such key');

/**
 * Why a presented secret does not authenticate as the stored key at `now`, or undefined when it does.
 * An unknown id still costs a hash comparison, so timing does not tell unknown ids from wrong secrets.
 */
export function refusalOf(
  secret: string,
  stored: { readonly secretHash: Buffer; readonly revokedAt?: string; readonly expiresAt?: string } | undefined,
  now: Date,
): ApiKeyRefusal | undefined {
  if (!secretMatches(secret, stored?.secretHash ?? UNKNOWN_HASH) || !stored) return 'unknown';
  if (stored.revokedAt !== undefined) return 'revoked';
  if (stored.expiresAt !== undefined && Date.parse(stored.expiresAt) <= now.getTime()) return 'expired';
  return undefined;
}

/** Remembers when this process last wrote each key's last use, so it writes at most once a resolution. */
export class LastUseWrites {
  private readonly written = new Map<string, number>();

  /** Whether the use at `now` should be written, given what this process wrote and what is stored. */
  due(keyId: string, storedLastUse: string | undefined, now: Date): boolean {
    const at = now.getTime();
    const written = this.written.get(keyId) ?? (storedLastUse ? Date.parse(storedLastUse) : undefined);
    return written === undefined || at - written >= LAST_USE_RESOLUTION_MS || at < written;
  }

  record(keyId: string, now: Date): void {
    if (this.written.size > 10_000) this.written.clear();
    this.written.set(keyId, now.getTime());
  }
}
