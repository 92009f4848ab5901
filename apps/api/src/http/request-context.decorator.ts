import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { type CommandContext } from '@lead-lifecycle/lifecycle';
import { AuthError, auditIdentity, principalOf, ROUTE_ACCESS, type RouteAccess, scopeOf } from '@lead-lifecycle/identity';
import { HttpErrorCode } from './api-error-code';
import { httpStatusName } from './http-status-name';

const HEADER_VALUE = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;

/**
 * Who is asking, from the credential the AuthGuard verified: the tenant and the actor are the
 * principal's (an X-Tenant-Id may only repeat the tenant, checked by the guard); a caller-supplied
 * X-Actor is kept as `onBehalfOf`, never as the actor. An owner-scoped role (`rep`) gets an `ownerScope`
 * for the route's permission. X-Correlation-Id (default: a new id); the request itself gets a fresh id,
 * the causation of its events.
 */
export const RequestContext = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const request = ctx.switchToHttp().getRequest<Request>();
  const principal = principalOf(request);
  // Every route using this decorator requires a permission, so the guard has set a principal; never guess one.
  if (!principal) throw AuthError.unauthenticated('missing');
  const correlationId = header(request, 'x-correlation-id') ?? randomUUID();
  const onBehalfOf = request.headers['x-actor'];
  const problems = [
    onBehalfOf !== undefined && (typeof onBehalfOf !== 'string' || !HEADER_VALUE.test(onBehalfOf)) && { field: 'X-Actor', reason: 'printable text, at most 200 characters' },
    !HEADER_VALUE.test(correlationId) && { field: 'X-Correlation-Id', reason: 'printable text, at most 200 characters' },
  ].filter(Boolean);
  if (problems.length) {
    throw new BadRequestException({ statusCode: 400, error: httpStatusName(400), code: HttpErrorCode.ValidationFailed, message: 'invalid headers', problems });
  }
  const identity = auditIdentity(principal, request.headers);
  const access = Reflect.getMetadata(ROUTE_ACCESS, ctx.getHandler()) as RouteAccess | undefined;
  const owned = access && 'permission' in access && scopeOf(principal, access.permission) === 'owned';
  return {
    tenantId: principal.tenantId,
    ...identity,
    ...(owned ? { ownerScope: { ownerId: principal.ownerId ?? '' } } : {}),
    correlationId,
    causationId: randomUUID(),
  };
});

function header(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.length ? value : undefined;
}
