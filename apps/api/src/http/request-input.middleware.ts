import { raw } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpConfig } from '../config/http.config';
import { HttpErrorCode } from './api-error-code';
import { EdgeHttpException, invalidInput } from './edge-http.exception';
import { parseJsonBody, RESERVED_KEYS } from './json-body.parser';
import { parseMediaType } from './media-type';
import { RouteTable } from './route-table';

/**
 * What the edge accepts before a DTO sees the request, on the routes the API serves:
 * - a body (any Content-Length above 0, or chunked) only as `application/json`, optionally with
 *   `charset=utf-8` and no other parameter; anything else is 415 UNSUPPORTED_MEDIA_TYPE. So forms
 *   (`application/x-www-form-urlencoded`, `multipart/form-data`, `text/plain`) are never parsed, and no
 *   HTML page can post a command;
 * - no Content-Encoding but `identity`: 415 UNSUPPORTED_CONTENT_ENCODING (bodies are small; inflating
 *   them would only add a decompression bomb to guard against);
 * - at most `HTTP_BODY_LIMIT_BYTES`: 413 BODY_TOO_LARGE;
 * - then {@link parseJsonBody}: UTF-8, JSON, at most `HTTP_JSON_MAX_DEPTH` deep, an object, no reserved keys;
 * - no reserved key in the query string either.
 * A request without a body passes with `req.body` undefined (the validation pipe reads it as `{}`).
 */
export function requestInput(config: HttpConfig, routes: RouteTable): RequestHandler {
  const readBytes = raw({ type: () => true, limit: config.HTTP_BODY_LIMIT_BYTES, inflate: false });
  return (req: Request, res: Response, next: NextFunction) => {
    try {
      if (routes.lookup(req.method, req.path).kind !== 'served') return next();
      assertQueryKeys(req.originalUrl);
      if (!hasBody(req)) return next();
      assertJsonMediaType(req.headers['content-type']);
      assertIdentityEncoding(req.headers['content-encoding']);
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

/** A body is announced by a Content-Length above 0 or by Transfer-Encoding (Node refuses both at once). */
function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) > 0;
}

function assertJsonMediaType(header: string | undefined): void {
  const media = header === undefined ? undefined : parseMediaType(header);
  const refuse = (why: string) => new EdgeHttpException(415, HttpErrorCode.UnsupportedMediaType, `${why}; send application/json (UTF-8)`);
  if (!media) throw refuse(header === undefined ? 'a body needs a Content-Type' : `Content-Type "${header.slice(0, 100)}" is not a media type`);
  if (media.essence !== 'application/json') throw refuse(`Content-Type ${media.essence} is not accepted`);
  for (const [name, value] of Object.entries(media.parameters)) {
    if (name !== 'charset') throw refuse(`the Content-Type parameter "${name}" is not accepted`);
    if (value.toLowerCase() !== 'utf-8') throw refuse(`charset "${value.slice(0, 40)}" is not accepted`);
  }
}

function assertIdentityEncoding(header: string | undefined): void {
  if (header === undefined) return;
  const codings = header.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  if (codings.length) {
    throw new EdgeHttpException(415, HttpErrorCode.UnsupportedContentEncoding, `Content-Encoding "${header.slice(0, 40)}" is not accepted; send the body uncompressed`, undefined, {
      'Accept-Encoding': 'identity',
    });
  }
}

/** Query keys are read from the raw URL: Express's parsed query has already merged or dropped some forms. */
function assertQueryKeys(url: string): void {
  const start = url.indexOf('?');
  if (start < 0) return;
  for (const [key] of new URLSearchParams(url.slice(start + 1))) {
    const name = key.split('[')[0];
    if (RESERVED_KEYS.has(name)) throw invalidInput(name, `"${name}" is a reserved key and not accepted`);
  }
}
