import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { toErrorAnswer } from './error-answer';

/**
 * The one place where errors become HTTP answers, for every layer: the edge's middleware, the router
 * (404, 405), body-parser, pipes, handlers, the domain and the event store. Shape and codes:
 * {@link toErrorAnswer}. A 5xx is logged with its stack; its answer says no more than "internal error".
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const answer = toErrorAnswer(exception, { method: request?.method, path: request?.path, params: request?.params });
    if (answer.status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (response.headersSent) {
      // A streamed answer failed half-way: the status is gone, all that is left is to end it.
      response.end();
      return;
    }
    for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
    response.status(answer.status).json(answer.body);
  }
}
