/**
 * The path of a request without its query, on either HTTP server: Express's `req.path`, and on
 * Fastify (whose request has no `path`) the raw URL up to the `?`. Both name the same string for the same
 * request, so what is keyed on it (an idempotency fingerprint) does not depend on the server.
 */
export function requestPath(request: { readonly path?: unknown; readonly url?: string }): string {
  if (typeof request.path === 'string') return request.path;
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
