import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpErrorCode } from './api-error-code';
import { EdgeHttpException } from './edge-http.exception';
import { type RouteTable } from './route-table';

/**
 * 405 with an Allow header for a path the API serves with other methods (`DELETE /v1/leads`), before
 * the body is read. Paths no route matches go on, to whatever else may serve them (the OpenAPI UI's
 * assets), and end at Nest's 404 otherwise.
 */
export function methodNotAllowed(routes: RouteTable): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    try {
      const found = routes.lookup(req.method, req.path);
      if (found.kind !== 'method-not-allowed') return next();
      const allow = found.allow.join(', ');
      next(new EdgeHttpException(405, HttpErrorCode.MethodNotAllowed, `${req.method} is not allowed on ${req.path}; allowed: ${allow}`, undefined, { Allow: allow }));
    } catch (error) {
      next(error);
    }
  };
}
