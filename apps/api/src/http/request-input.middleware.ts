import { raw } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type HttpConfig } from '../config/http.config';
import { parseJsonBody } from './json-body.parser';
import { assertAcceptedInput, hasBody } from './request-input.rules';
import { type RouteTable } from './route-table';

/**
 * What the edge accepts before a DTO sees the request, on the routes the API serves (Express; the
 * Fastify edge is fastify-edge.ts):
 * - {@link assertAcceptedInput}: JSON only (415), no Content-Encoding (415), no reserved query key;
 * - at most `HTTP_BODY_LIMIT_BYTES`: 413 BODY_TOO_LARGE;
 * - then {@link parseJsonBody}: UTF-8, JSON, at most `HTTP_JSON_MAX_DEPTH` deep, an object, no reserved keys.
 * A request without a body passes with `req.body` undefined (the validation pipe reads it as `{}`).
 */
export function requestInput(config: HttpConfig, routes: RouteTable): RequestHandler {
  const readBytes = raw({ type: () => true, limit: config.HTTP_BODY_LIMIT_BYTES, inflate: false });
  return (req: Request, res: Response, next: NextFunction) => {
    try {
      if (routes.lookup(req.method, req.path).kind !== 'served') return next();
      assertAcceptedInput(req.originalUrl, req.headers);
      if (!hasBody(req.headers)) return next();
    } catch (error) {
      return next(error);
    }
    // body-parser's own errors (too large, aborted, shorter than announced) carry a `type` the ErrorFilter knows.
    readBytes(req, res, (error?: unknown) => {
      if (error) return next(error);
      const bytes: unknown = req.body;
      req.body = undefined;
      if (!Buffer.isBuffer(bytes) || bytes.length === 0) return next();
      try {
        req.body = parseJsonBody(bytes, config.HTTP_JSON_MAX_DEPTH);
      } catch (parseError) {
        return next(parseError);
      }
      next();
    });
  };
}
