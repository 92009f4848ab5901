import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FieldProblem } from '@lead-lifecycle/domain';
import { isTenantId } from './principal';
import { isRole, type Role, ROLES } from './roles';

/**
 * Our API keys look like `llk_<keyId>_<secret>`: the prefix tells them from JWTs (and lets secret scanners
 * find leaked ones), the key id finds the record without a search, the secret is 32 random bytes.
 */
export const API_KEY_PREFIX = 'llk_';

const KEY_ID_BYTES = 8;
const SECRET_BYTES = 32;
const API_KEY_PATTERN = /^llk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const KEY_ID_PATTERN = /^[0-9a-f]{16}$/;
const TEXT = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** A stored key, without its secret (the store keeps only a hash of it). */
export interface ApiKeyRecord {
  readonly keyId: string;
  readonly tenantId: string;
  readonly roles: readonly Role[];
  readonly name: string;
  /** The sales owner a `rep` key acts as. */
  readonly ownerId?: string;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
  readonly expiresAt?: string;
  readonly revokedAt?: string;
  /** When the key last authenticated a request, to the minute. */
  readonly lastUsedAt?: string;
}

/** What a caller asks for; validated by {@link validateNewApiKey} before anything is stored. */
export interface NewApiKey {
  readonly tenantId: string;
  readonly roles: readonly string[];
  readonly name: string;
  readonly ownerId?: string;
  /** ISO 8601 with a time zone, in the future. */
  readonly expiresAt?: string;
}

/** A created key: the record and, this once, the key itself. */
export interface CreatedApiKey extends ApiKeyRecord {
  readonly key: string;
}

export type ApiKeyRefusal = 'malformed' | 'unknown' | 'expired' | 'revoked';

export type ApiKeyVerification = { readonly ok: true; readonly record: ApiKeyRecord } | { readonly ok: false; readonly reason: ApiKeyRefusal };

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

export function isKeyId(value: unknown): value is string {
  return typeof value === 'string' && KEY_ID_PATTERN.test(value);
}

/** Splits a presented key into its id and secret; undefined when it is not one of ours, well formed. */
export function parseApiKey(token: string): { readonly keyId: string; readonly secret: string } | undefined {
  const match = API_KEY_PATTERN.exec(token);
  return match ? { keyId: match[1], secret: match[2] } : undefined;
}

/** A fresh key id and secret from the system's CSPRNG. */
export function generateApiKey(): { readonly keyId: string; readonly secret: string; readonly key: string } {
  const keyId = randomBytes(KEY_ID_BYTES).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { keyId, secret, key: `${API_KEY_PREFIX}${keyId}_${secret}` };
}

/**
 * The stored form of a secret. A plain SHA-256 is enough here: the secret has 256 bits of entropy, so
 * there is nothing for a slow password hash to protect against, and verifying stays cheap per request.
 */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const presented = hashSecret(secret);
  return presented.length === storedHash.length && timingSafeEqual(presented, storedHash);
}

/** Every problem with a key request, one per field; empty when it can be created at `now`. */
export function validateNewApiKey(input: NewApiKey, now: Date): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isTenantId(input.tenantId)) problems.push({ field: 'tenantId', reason: 'letters, digits, "_", "." or "-", at most 64, starting with a letter or digit' });
  if (!Array.isArray(input.roles) || input.roles.length === 0) {
    problems.push({ field: 'roles', reason: `at least one of ${ROLES.join(', ')}` });
  } else {
    const unknown = input.roles.filter((r) => !isRole(r));
    if (unknown.length) problems.push({ field: 'roles', reason: `unknown role ${unknown.map((r) => JSON.stringify(r)).join(', ')}; known: ${ROLES.join(', ')}` });
    else if (new Set(input.roles).size !== input.roles.length) problems.push({ field: 'roles', reason: 'each role at most once' });
  }
  if (typeof input.name !== 'string' || input.name.length > 100 || !TEXT.test(input.name)) {
    problems.push({ field: 'name', reason: 'printable text, 1 to 100 characters, no leading or trailing space' });
  }
  if (input.ownerId !== undefined && (typeof input.ownerId !== 'string' || input.ownerId.length > 200 || !TEXT.test(input.ownerId))) {
    problems.push({ field: 'ownerId', reason: 'printable text, 1 to 200 characters, no leading or trailing space' });
  }
  if (input.ownerId === undefined && Array.isArray(input.roles) && input.roles.includes('rep')) {
    problems.push({ field: 'ownerId', reason: 'a rep key must name the owner it acts as' });
  }
  if (input.expiresAt !== undefined) {
    const at = typeof input.expiresAt === 'string' && /(Z|[+-]\d{2}:\d{2})$/i.test(input.expiresAt) ? Date.parse(input.expiresAt) : NaN;
    if (Number.isNaN(at)) problems.push({ field: 'expiresAt', reason: 'an ISO 8601 time with a time zone' });
    else if (at <= now.getTime()) problems.push({ field: 'expiresAt', reason: 'must be in the future' });
  }
  return problems;
}
