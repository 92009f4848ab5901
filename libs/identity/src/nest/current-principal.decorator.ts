import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '../principal';
import { principalOf } from './principal-of-request';

/** The caller's principal, as the AuthGuard established it (undefined only on a public route without a credential). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined =>
  principalOf(ctx.switchToHttp().getRequest<object>()),
);
