import type { IncomingHttpHeaders } from 'node:http';
import { HttpErrorCode } from './api-error-code';
import { EdgeHttpException, invalidInput } from './edge-http.exception';
import { RESERVED_KEYS } from './json-body.parser';
import { parseMediaType } from './media-type';

/**
 * What the edge checks of a request to a served route before its body is read, whichever HTTP server
 * runs it (request-input.middleware.ts on Express, fastify-edge.ts on Fastify):
 * - no reserved key (`__proto__`, `constructor`, `prototype`) in the query string, read from the raw URL;
 * - a body (any Content-Length above 0, or chunked) only as `application/json`, optionally with
 *   `charset=utf-8` and no other parameter: 415 UNSUPPORTED_MEDIA_TYPE otherwise;
 * - no Content-Encoding but `identity`: 415 UNSUPPORTED_CONTENT_ENCODING.
 * Throws the refusal as an {@link EdgeHttpException}.
 */
export function assertAcceptedInput(url: string, headers: IncomingHttpHeaders): void {
  assertQueryKeys(url);
  if (!hasBody(headers)) return;
  assertJsonMediaType(headers['content-type']);
  assertIdentityEncoding(headers['content-encoding']);
}

/** A body is announced by a Content-Length above 0 or by Transfer-Encoding (Node refuses both at once). */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
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

/** Query keys are read from the raw URL: a parsed query has already merged or dropped some forms. */
function assertQueryKeys(url: string): void {
  const start = url.indexOf('?');
  if (start < 0) return;
  for (const [key] of new URLSearchParams(url.slice(start + 1))) {
    const name = key.split('[')[0];
    if (RESERVED_KEYS.has(name)) throw invalidInput(name, `"${name}" is a reserved key and not accepted`);
  }
}
