import { BadRequestException, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { CommandContext } from '@lead-lifecycle/lifecycle';
import { DEFAULT_TENANT, TENANT_ID as TENANT } from './request-tenant';
import { HttpErrorCode } from './api-error-code';
import { httpStatusName } from './http-status-name';

const HEADER_VALUE = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;

/**
 * Who is asking, from the headers: X-Tenant-Id (default "default"), X-Actor (default "anonymous"),
 * X-Correlation-Id (default: a new id). The request itself gets a fresh id, the causation of its events.
 */
export const RequestContext = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const request = ctx.switchToHttp().getRequest<Request>();
  const tenantId = header(request, 'x-tenant-id') ?? DEFAULT_TENANT;
  const actor = header(request, 'x-actor') ?? 'anonymous';
  const correlationId = header(request, 'x-correlation-id') ?? randomUUID();
  const problems = [
    !TENANT.test(tenantId) && { field: 'X-Tenant-Id', reason: 'letters, digits, "_", "." or "-", at most 64' },
    !HEADER_VALUE.test(actor) && { field: 'X-Actor', reason: 'printable text, at most 200 characters' },
    !HEADER_VALUE.test(correlationId) && { field: 'X-Correlation-Id', reason: 'printable text, at most 200 characters' },
  ].filter(Boolean);
  if (problems.length) {
    throw new BadRequestException({ statusCode: 400, error: httpStatusName(400), code: HttpErrorCode.ValidationFailed, message: 'invalid headers', problems });
  }
  return { tenantId, actor, correlationId, causationId: randomUUID() };
});

function header(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.length ? value : undefined;
}
