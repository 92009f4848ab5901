import type { Role } from './roles';

/** How the caller proved who it is. */
export type PrincipalKind = 'api-key' | 'jwt' | 'platform' | 'host';

/**
 * Who is calling, as established by a credential (or by the host application that embeds the engine).
 * The tenant comes from here and never from the request.
 */
export interface Principal {
  /** The one tenant the credential is bound to ({@link PLATFORM_TENANT} for the platform key). */
  readonly tenantId: string;
  readonly roles: readonly Role[];
  /** Stable, audit-grade identity: `apikey:<keyId>`, `jwt:<issuer>#<subject>`, `platform`, or the host's own. */
  readonly actor: string;
  /** Human-readable label for the audit trail (the key's name, the token's `name` claim). */
  readonly actorName?: string;
  /** The sales owner a `rep` acts as: the key's `ownerId`, the token's subject. */
  readonly ownerId?: string;
  readonly kind: PrincipalKind;
}

/** Request headers as Node gives them (lower-case names). */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * What a host application supplies to authenticate its own users instead of our keys and tokens:
 * the principal of a request, or undefined when the request carries no identity (answered with 401).
 * The guard, the role table and the tenant check stay the same.
 */
export type PrincipalResolver = (headers: RequestHeaders) => Promise<Principal | undefined>;

/** The rule for tenant ids, the same as the X-Tenant-Id header had. */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The platform key belongs to no tenant; this value can never be a tenant id (it fails TENANT_ID_PATTERN). */
export const PLATFORM_TENANT = '*';

export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && TENANT_ID_PATTERN.test(value);
}
