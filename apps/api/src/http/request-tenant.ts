import type { Request } from 'express';

/** Letters, digits, "_", "." or "-", at most 64: what X-Tenant-Id may hold. */
export const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const DEFAULT_TENANT = 'default';

/**
 * The tenant a request acts for, as the commands get it (RequestContext): X-Tenant-Id, "default" when
 * absent or empty. Undefined when the header is not a valid tenant id (the request is then refused).
 * One place, so that what keys a request's Idempotency-Key is what scopes its command.
 */
export function requestTenantId(request: Request): string | undefined {
  const value = request.headers['x-tenant-id'];
  const tenantId = typeof value === 'string' && value.length ? value : DEFAULT_TENANT;
  return TENANT_ID.test(tenantId) ? tenantId : undefined;
}
