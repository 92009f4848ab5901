import { ExecutionContext, HttpException, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModuleOptions } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import type { AuthConfig } from '../auth.config';
import type { Principal } from '../principal';
import { principalOf } from './principal-of-request';

/** Stable code of a 429 answer. */
export const RATE_LIMITED = 'RATE_LIMITED';

/**
 * @nestjs/throttler counting per credential instead of per route and address: one budget per principal
 * (per client address on public routes), answered with the one error shape and `Retry-After`.
 * Register it after the AuthGuard, which establishes the principal.
 */
@Injectable()
export class CredentialThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const principal = principalOf(request);
    return principal ? `principal:${principal.actor}` : `ip:${typeof request.ip === 'string' ? request.ip : 'unknown'}`;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return createHash('sha256').update(`${throttlerName}\0${tracker}`).digest('hex');
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new HttpException(
      {
        statusCode: 429,
        error: 'TOO_MANY_REQUESTS',
        code: RATE_LIMITED,
        message: `at most ${detail.limit} requests a minute for this credential; retry after ${detail.timeToBlockExpire} s`,
        retryAfterSeconds: detail.timeToBlockExpire,
      },
      429,
    );
  }
}

/** A principal whose only role is `capture` (public web forms) gets the low limit. */
export function isCaptureOnly(principal: Principal | undefined): boolean {
  return !!principal && principal.roles.length > 0 && principal.roles.every((r) => r === 'capture');
}

/** Throttler options: a one-minute window, RATE_LIMIT_PER_MINUTE, or RATE_LIMIT_CAPTURE_PER_MINUTE for capture-only credentials. */
export function rateLimitOptions(config: AuthConfig): ThrottlerModuleOptions {
  return {
    throttlers: [
      {
        name: 'default',
        ttl: 60_000,
        limit: (context: ExecutionContext) =>
          isCaptureOnly(principalOf(context.switchToHttp().getRequest<object>())) ? config.RATE_LIMIT_CAPTURE_PER_MINUTE : config.RATE_LIMIT_PER_MINUTE,
      },
    ],
  };
}
