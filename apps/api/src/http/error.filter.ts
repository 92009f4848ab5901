import { ArgumentsHost, Catch, ExceptionFilter, HttpServer, Logger } from '@nestjs/common';
import type { Response as ExpressResponse } from 'express';
import { ErrorAnswer, toErrorAnswer } from './error-answer';
import { requestPath } from './request-path';

/**
 * The one place where errors become HTTP answers, for every layer: the edge's middleware and hooks, the
 * router (404, 405), body parsing, pipes, handlers, the domain and the event store. Shape and codes:
 * {@link toErrorAnswer}. A 5xx is logged with its stack; its answer says no more than "internal error".
 * It answers through the HTTP adapter, so it is the same on Express and on Fastify.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  /** `server`: the app's HTTP adapter (`app.getHttpAdapter()`); without it, the response is taken to be Express's. */
  constructor(private readonly server?: HttpServer) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<unknown>();
    const request = http.getRequest<{ method?: string; params?: Record<string, unknown>; path?: unknown; url?: string } | undefined>();
    const answer = toErrorAnswer(exception, { method: request?.method, path: request && requestPath(request), params: request?.params });
    if (answer.status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (!this.server) return answerOnExpress(response as ExpressResponse, answer);
    if (this.server.isHeadersSent(response)) {
      // A streamed answer failed half-way: the status is gone, all that is left is to end it.
      this.server.end(response);
      return;
    }
    for (const [name, value] of Object.entries(answer.headers)) this.server.setHeader(response, name, value);
    this.server.reply(response, answer.body, answer.status);
  }
}

function answerOnExpress(response: ExpressResponse, answer: ErrorAnswer): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
  response.status(answer.status).json(answer.body);
}
