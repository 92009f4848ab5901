import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { map, Observable } from 'rxjs';
import { positionFromString } from '@lead-lifecycle/eventing';
import { principalOf } from '@lead-lifecycle/identity';
import { CONSISTENCY_TOKENS, ConsistencyTokens } from './consistency-token';

/**
 * Turns the raw `position` of every command answer into the caller's opaque consistency token (see
 * ConsistencyTokens), in one place, so no controller can leak a global position. Registered inside the
 * IdempotencyInterceptor: a replay answers the token the first answer had.
 */
@Injectable()
export class ConsistencyTokenInterceptor implements NestInterceptor {
  constructor(@Inject(CONSISTENCY_TOKENS) private readonly tokens: ConsistencyTokens) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const principal = principalOf(request);
    if ((request.method !== 'POST' && request.method !== 'DELETE') || !principal) return next.handle();
    return next.handle().pipe(
      map((body: unknown) => {
        if (!body || typeof body !== 'object' || typeof (body as { position?: unknown }).position !== 'string') return body;
        const answer = body as { position: string };
        return { ...answer, position: this.tokens.issue(principal.tenantId, positionFromString(answer.position)) };
      }),
    );
  }
}
