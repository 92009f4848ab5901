import { CanActivate, ExecutionContext, HttpException, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { allows } from '../access-policy';
import { AuthError, authErrorBody } from '../auth-error';
import type { Authenticator } from '../authenticator';
import { AUTHENTICATOR } from './identity.tokens';
import { setPrincipal } from './principal-of-request';
import { ROUTE_ACCESS, RouteAccess } from './route-access.decorator';

/**
 * The one authorisation check, from route metadata: authenticates the request, checks the route's
 * permission against the role table, and records the principal on the request. A route without an
 * access rule is refused (secure by default). Refusals become the one error shape; 401s carry
 * `WWW-Authenticate: Bearer`. Runs before any pipe, interceptor or handler, so a refusal appends nothing.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    const request = context.switchToHttp().getRequest<IncomingMessage>();
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    try {
      if (!access) throw AuthError.forbidden('this route declares no access rule');
      if ('public' in access) {
        if (request.headers.authorization !== undefined) setPrincipal(request, await this.authenticator.authenticate(request.headers));
        return true;
      }
      const principal = await this.authenticator.authenticate(request.headers);
      if (!allows(principal, access.permission)) throw AuthError.forbidden(`the credential's roles do not grant ${access.permission}`);
      setPrincipal(request, principal);
      return true;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      const response = context.switchToHttp().getResponse<ServerResponse>();
      for (const [name, value] of Object.entries(error.headers())) response.setHeader(name, value);
      throw new HttpException(authErrorBody(error), error.statusCode, { cause: error });
    }
  }
}
