import { NotFoundException } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { type HttpConfig } from '../config/http.config';
import { HttpErrorCode } from './api-error-code';
import { answerClientError } from './client-error.handler';
import { EdgeHttpException } from './edge-http.exception';
import { toErrorAnswer } from './error-answer';
import { FASTIFY_ROUTER_OPTIONS, FastifyRouteTable } from './fastify-route-table';
import { parseJsonBody } from './json-body.parser';
import { requestPath } from './request-path';
import { assertAcceptedInput } from './request-input.rules';

/**
 * The Fastify server under Nest, set up as the Express edge is: routing like Express's defaults, Node's
 * parse errors and undecodable URLs answered in the one error shape (Fastify would answer them in its own).
 */
export function createFastifyAdapter(config: HttpConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.HTTP_BODY_LIMIT_BYTES,
    routerOptions: FASTIFY_ROUTER_OPTIONS,
    clientErrorHandler: answerClientError,
    // Called by the router, before any hook or the error handler: the one shape has to be written here.
    frameworkErrors: (error: FastifyError, _request: unknown, reply: FastifyReply) => {
      const answer = toErrorAnswer(error);
      void reply.code(answer.status).headers(answer.headers).send(answer.body);
    },
  });
}

/**
 * The edge of request-input.middleware.ts and method-not-allowed.middleware.ts on Fastify, in Fastify's
 * own terms: an `onRequest` hook (which runs after the Nest middleware, helmet's headers included, and
 * before the body is read) and a content-type parser.
 * - a path the API serves with other methods: 405 with Allow; one it does not serve: 404 before the
 *   body is read (Fastify would read it for its not-found handler);
 * - on a served route: {@link assertAcceptedInput} (JSON only, no Content-Encoding, no reserved query
 *   key), and a Content-Length above HTTP_BODY_LIMIT_BYTES is 413 at once;
 * - Fastify's parsers are removed (they take text/plain, and JSON with their own checks); one parser takes
 *   every body (the hook has refused all but JSON) up to the limit and gives it to {@link parseJsonBody};
 * - GET and HEAD bodies are read as on Express, so that a malformed one is refused there too.
 * Also gives the reply `setHeader` (Express's and Node's name, which the AuthGuard and controllers use)
 * as an alias of Fastify's `header`. Returns the route table it keeps (see {@link FastifyRouteTable}).
 */
export function prepareFastifyEdge(instance: FastifyInstance, config: HttpConfig): FastifyRouteTable {
  const routes = FastifyRouteTable.attach(instance);
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.HTTP_BODY_LIMIT_BYTES }, (_request, body, done) => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    if (bytes.length === 0) return done(null, undefined);
    try {
      done(null, parseJsonBody(bytes, config.HTTP_JSON_MAX_DEPTH));
    } catch (error) {
      done(error as FastifyError, undefined);
    }
  });
  for (const method of ['GET', 'HEAD']) instance.addHttpMethod(method, { hasBody: true, overrideExisting: true });
  instance.decorateReply('setHeader', function setHeader(this: FastifyReply, name: string, value: string) {
    return this.header(name, value);
  });
  instance.addHook('onRequest', (request, _reply, done) => {
    try {
      if (request.is404) {
        const path = requestPath(request);
        const found = routes.lookup(request.method, path);
        if (found.kind !== 'method-not-allowed') throw new NotFoundException();
        const allow = found.allow.join(', ');
        throw new EdgeHttpException(405, HttpErrorCode.MethodNotAllowed, `${request.method} is not allowed on ${path}; allowed: ${allow}`, undefined, { Allow: allow });
      }
      assertAcceptedInput(request.url, request.headers);
      assertAnnouncedLength(request.headers, config.HTTP_BODY_LIMIT_BYTES);
      done();
    } catch (error) {
      done(error as FastifyError);
    }
  });
  return routes;
}

/** An announced body over the limit, refused before it is read and with the limit said (Fastify's own error does not say it). */
function assertAnnouncedLength(headers: IncomingHttpHeaders, limit: number): void {
  const length = Number(headers['content-length']);
  if (length > limit) throw new EdgeHttpException(413, HttpErrorCode.BodyTooLarge, `the body is larger than the limit of ${limit} bytes`);
}
