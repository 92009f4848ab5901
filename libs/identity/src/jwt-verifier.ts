import { createRemoteJWKSet, importSPKI, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AsymmetricAlgorithm, AuthConfig } from './auth.config';
import type { UnauthenticatedReason } from './auth-error';
import { isTenantId, type Principal } from './principal';
import { isRole, type Role } from './roles';

/** What a JWT must satisfy, and where its tenant and roles are. */
export interface JwtVerifierOptions {
  /** The provider's JWKS (`jwks_uri`); or `publicKeyPem`. */
  readonly jwksUrl?: string;
  readonly publicKeyPem?: string;
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly tenantClaim: string;
  readonly rolesClaim: string;
  /** Asymmetric algorithms only; HS* and `none` can never be listed. */
  readonly algorithms: readonly AsymmetricAlgorithm[];
  readonly clockToleranceSeconds: number;
  /** Bound on one JWKS fetch (default 5 s). */
  readonly jwksTimeoutMs?: number;
}

export type JwtVerification =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: UnauthenticatedReason | 'unavailable'; readonly detail: string };

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const TEXT = /^[\x20-\x7e\u00a0-\uffff]{1,200}$/;
const HS_OR_NONE = /^(HS\d+|none)$/i;

/** A key for a PEM that does not suit the token's algorithm: the token does not verify. */
class KeyImportFailed extends Error {}

/**
 * Verifies bearer JWTs from the platform's identity provider with `jose`: signature against the JWKS (or
 * one PEM key), an allowed asymmetric algorithm, `iss`, `aud`, `exp` (required) and `nbf` with a small
 * tolerance, all at the injected time. The principal is `jwt:<iss>#<sub>`, acting as owner `sub`.
 */
export class JwtVerifier {
  private readonly key: JWTVerifyGetKey;

  constructor(private readonly options: JwtVerifierOptions) {
    if (options.algorithms.length === 0 || options.algorithms.some((a) => HS_OR_NONE.test(a))) {
      throw new Error('JWTs are verified with asymmetric algorithms only');
    }
    if (options.jwksUrl) {
      this.key = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: options.jwksTimeoutMs ?? 5000 });
    } else if (options.publicKeyPem) {
      this.key = pemKey(options.publicKeyPem);
    } else {
      throw new Error('a JWKS URL or a public key is needed to verify JWTs');
    }
  }

  /** The verifier the configuration asks for, or undefined when JWTs are not accepted. */
  static fromConfig(config: AuthConfig): JwtVerifier | undefined {
    if (!config.jwtEnabled) return undefined;
    return new JwtVerifier({
      jwksUrl: config.AUTH_JWKS_URL,
      publicKeyPem: config.publicKeyPem,
      issuer: config.AUTH_ISSUER!,
      audiences: config.audiences,
      tenantClaim: config.AUTH_TENANT_CLAIM,
      rolesClaim: config.AUTH_ROLES_CLAIM,
      algorithms: config.algorithms,
      clockToleranceSeconds: config.AUTH_CLOCK_TOLERANCE_SECONDS,
    });
  }

  /** Whether the token has the shape of a compact JWS at all (three base64url parts). */
  static looksLikeJwt(token: string): boolean {
    return COMPACT_JWS.test(token);
  }

  async verify(token: string, now: Date): Promise<JwtVerification> {
    if (!JwtVerifier.looksLikeJwt(token)) return { ok: false, reason: 'malformed', detail: 'not a compact JWS' };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        issuer: this.options.issuer,
        audience: [...this.options.audiences],
        algorithms: [...this.options.algorithms],
        clockTolerance: this.options.clockToleranceSeconds,
        currentDate: now,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      return refusal(error);
    }
    return this.principalOf(payload);
  }

  private principalOf(payload: JWTPayload): JwtVerification {
    const tenantId = claim(payload, this.options.tenantClaim);
    if (!isTenantId(tenantId)) return { ok: false, reason: 'invalid', detail: `claim ${this.options.tenantClaim} does not hold a tenant id` };
    const subject = payload.sub;
    if (typeof subject !== 'string' || !TEXT.test(subject)) return { ok: false, reason: 'invalid', detail: 'sub must be text of at most 200 characters' };
    const name = [payload.name, payload.preferred_username].find((v): v is string => typeof v === 'string' && TEXT.test(v));
    return {
      ok: true,
      principal: {
        tenantId,
        roles: rolesOf(claim(payload, this.options.rolesClaim)),
        actor: `jwt:${payload.iss}#${subject}`,
        ...(name ? { actorName: name } : {}),
        ownerId: subject,
        kind: 'jwt',
      },
    };
  }
}

/** A claim by its full name (namespaced claims are URLs with dots), else by a dotted path (`realm_access.roles`). */
function claim(payload: JWTPayload, name: string): unknown {
  if (name in payload) return payload[name];
  let value: unknown = payload;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Known roles only, once each: a provider's other roles mean nothing here. */
function rolesOf(value: unknown): Role[] {
  const names = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return [...new Set(names.filter(isRole))];
}

function pemKey(pem: string): JWTVerifyGetKey {
  const byAlgorithm = new Map<string, ReturnType<typeof importSPKI>>();
  return (header) => {
    const alg = header.alg ?? '';
    let key = byAlgorithm.get(alg);
    if (!key) {
      key = importSPKI(pem, alg).catch((cause: unknown) => {
        throw new KeyImportFailed(`the public key does not suit ${alg}: ${(cause as Error).message}`);
      });
      byAlgorithm.set(alg, key);
    }
    return key;
  };
}

function refusal(error: unknown): JwtVerification {
  const detail = (error as Error)?.message ?? String(error);
  if (error instanceof KeyImportFailed) return { ok: false, reason: 'invalid', detail };
  const code = (error as { code?: string })?.code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return { ok: false, reason: 'expired', detail };
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return { ok: false, reason: (error as { claim?: string }).claim === 'nbf' ? 'not_yet_valid' : 'invalid', detail };
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return { ok: false, reason: 'malformed', detail };
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return { ok: false, reason: 'unknown', detail };
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
    case 'ERR_JWK_INVALID':
      return { ok: false, reason: 'invalid', detail };
    default:
      // The JWKS could not be fetched or read (timeout, network, not 200, not JSON): not the caller's fault.
      return { ok: false, reason: 'unavailable', detail };
  }
}
