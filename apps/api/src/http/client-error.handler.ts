import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { HttpErrorCode } from './api-error-code';
import { httpStatusName } from './http-status-name';

/**
 * Node answers requests it cannot parse (bad request line or headers, headers over its size limit,
 * too slow) itself, before Express sees them, with an empty body. This answers them in the one error
 * shape instead, then closes the connection as Node would. (On Fastify, {@link answerClientError} is
 * given as its `clientErrorHandler`, which Fastify installs in place of its own.)
 */
export function answerClientErrorsInShape(server: Server): void {
  server.on('clientError', answerClientError);
}

/** Answers one request Node could not parse, in the one error shape, and closes the connection. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, HttpErrorCode.HeadersTooLarge, 'the request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, HttpErrorCode.RequestTimeout, 'the request was not received in time']
        : [400, HttpErrorCode.MalformedRequest, 'the request is not valid HTTP/1.1'];
  const body = JSON.stringify({ statusCode: status, error: httpStatusName(status), code, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
