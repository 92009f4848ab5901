import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { Permission } from '../permissions';

/** Metadata key of a route's access rule; read by the AuthGuard and the start-up check. */
export const ROUTE_ACCESS = 'lead-lifecycle:route-access';

/** Name of the bearer security scheme in the OpenAPI document (`DocumentBuilder.addBearerAuth(…, BEARER_SCHEME)`). */
export const BEARER_SCHEME = 'bearer';

export type RouteAccess = { readonly public: true } | { readonly permission: Permission };

/**
 * The permission a route (or every route of a controller) requires. Every route must declare one or be
 * {@link Public}: the guard refuses routes that declare nothing, and the module refuses to start with one.
 */
export function Requires(permission: Permission): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(ROUTE_ACCESS, { permission } satisfies RouteAccess), ApiBearerAuth(BEARER_SCHEME));
}

/**
 * A route anyone may call (liveness). A credential sent anyway is still verified, and its principal is
 * available to the route, which may then say more (e.g. positions for `projection:status`).
 */
export function Public(): MethodDecorator & ClassDecorator {
  // An empty security requirement marks the operation as open in the OpenAPI document.
  return applyDecorators(SetMetadata(ROUTE_ACCESS, { public: true } satisfies RouteAccess), ApiSecurity({}));
}
