import type { Clock } from '@lead-lifecycle/domain';
import { looksLikeApiKey } from './api-key';
import type { ApiKeyStore } from './api-key.store';
import { AuthError, AuthErrorCode } from './auth-error';
import type { JwtVerifier } from './jwt-verifier';
import type { PlatformKey } from './platform-key';
import { isTenantId, PLATFORM_TENANT, type Principal, type PrincipalResolver, type RequestHeaders } from './principal';
import { isRole } from './roles';

/** Turns a request's headers into the caller's principal, or throws an {@link AuthError}. */
export interface Authenticator {
  authenticate(headers: RequestHeaders): Promise<Principal>;
}

const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;
const MAX_TOKEN_LENGTH = 8192;

/**
 * Our own credentials, from `Authorization: Bearer <token>`: the platform key (compared in constant
 * time), an API key when the token has our prefix, else a JWT when a provider is configured; anything
 * else is unknown. An X-Tenant-Id header that names another tenant than the credential's is refused.
 */
export class CredentialAuthenticator implements Authenticator {
  constructor(
    private readonly deps: {
      readonly store: ApiKeyStore;
      readonly clock: Clock;
      readonly platformKey?: PlatformKey;
      readonly jwt?: JwtVerifier;
    },
  ) {}

  async authenticate(headers: RequestHeaders): Promise<Principal> {
    const token = bearerToken(headers);
    const principal = await this.principalOf(token);
    assertTenantHeader(principal, headers);
    return principal;
  }

  private async principalOf(token: string): Promise<Principal> {
    if (this.deps.platformKey?.matches(token)) return { tenantId: PLATFORM_TENANT, roles: [], actor: 'platform', actorName: 'platform key', kind: 'platform' };
    const now = this.deps.clock.now();
    if (looksLikeApiKey(token)) {
      const verification = await this.deps.store.verify(token, now);
      if (!verification.ok) throw AuthError.unauthenticated(verification.reason);
      const { record } = verification;
      return {
        tenantId: record.tenantId,
        roles: record.roles,
        actor: `apikey:${record.keyId}`,
        actorName: record.name,
        ...(record.ownerId !== undefined ? { ownerId: record.ownerId } : {}),
        kind: 'api-key',
      };
    }
    if (!this.deps.jwt) throw AuthError.unauthenticated('unknown');
    const verification = await this.deps.jwt.verify(token, now);
    if (verification.ok) return verification.principal;
    if (verification.reason === 'unavailable') {
      throw new AuthError(AuthErrorCode.AuthUnavailable, 'the identity provider\'s keys could not be fetched; try again');
    }
    throw AuthError.unauthenticated(verification.reason);
  }
}

/**
 * A host application's own authentication (embedding): its resolver names the principal, the engine
 * checks that the principal is well formed and applies the same tenant rule.
 */
export class ResolverAuthenticator implements Authenticator {
  constructor(private readonly resolver: PrincipalResolver) {}

  async authenticate(headers: RequestHeaders): Promise<Principal> {
    const resolved = await this.resolver(headers);
    if (!resolved) throw AuthError.unauthenticated('missing', 'the request carries no identity the host application recognises');
    if (resolved.kind !== 'platform' && !isTenantId(resolved.tenantId)) throw new Error(`the principal resolver gave an invalid tenant id ${JSON.stringify(resolved.tenantId)}`);
    if (typeof resolved.actor !== 'string' || resolved.actor.length === 0) throw new Error('the principal resolver gave no actor');
    const principal: Principal = { ...resolved, roles: [...new Set(resolved.roles.filter(isRole))] };
    assertTenantHeader(principal, headers);
    return principal;
  }
}

/** The bearer token of the request; 401 `missing` without an Authorization header, `malformed` when it is not a bearer token. */
export function bearerToken(headers: RequestHeaders): string {
  const value = headers['authorization'];
  if (value === undefined || value === '') throw AuthError.unauthenticated('missing');
  const match = typeof value === 'string' && value.length <= MAX_TOKEN_LENGTH + 16 ? BEARER.exec(value) : null;
  if (!match) throw AuthError.unauthenticated('malformed');
  return match[1];
}

/** The tenant comes from the credential: an X-Tenant-Id header may only repeat it (403 otherwise). */
export function assertTenantHeader(principal: Principal, headers: RequestHeaders): void {
  const value = headers['x-tenant-id'];
  if (value === undefined || principal.kind === 'platform') return;
  if (value !== principal.tenantId) {
    throw new AuthError(AuthErrorCode.TenantMismatch, 'X-Tenant-Id names another tenant than the credential\'s; leave it out, the credential decides');
  }
}
