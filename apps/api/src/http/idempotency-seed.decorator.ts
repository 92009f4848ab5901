import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { deterministicUuid } from '@lead-lifecycle/lifecycle';
import { IDEMPOTENT_REQUEST, type IdempotentRequest } from './idempotency.interceptor';

/**
 * The seed of the request's Idempotency-Key (same for every attempt of the same request), or undefined
 * when the request has no key. Handlers that create something derive its id from it with {@link idFromSeed}.
 */
export const IdempotencySeed = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => {
  const request = ctx.switchToHttp().getRequest<Request & { [IDEMPOTENT_REQUEST]?: IdempotentRequest }>();
  return request[IDEMPOTENT_REQUEST]?.seed;
});

/** The id of what a request creates: derived from its idempotency seed, so every retry names the same one; random without a key. */
export function idFromSeed(kind: string, seed: string | undefined): string {
  return seed ? deterministicUuid(kind, seed) : randomUUID();
}
