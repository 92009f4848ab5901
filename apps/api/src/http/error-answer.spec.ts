import { BadRequestException, ConflictException, HttpException, NotFoundException, ParseUUIDPipe, ServiceUnavailableException } from '@nestjs/common';
import { DomainError, DomainErrorCode, InvalidCommandError, LifecycleError } from '@lead-lifecycle/domain';
import { EventStoreError, EventStoreErrorCode } from '@lead-lifecycle/eventing';
import { API_ERROR_CODES, HttpErrorCode } from './api-error-code';
import { EdgeHttpException } from './edge-http.exception';
import { toErrorAnswer } from './error-answer';

/** An error as http-errors (body-parser, raw-body, the router) builds them. */
function httpError(status: number, type: string | undefined, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: status < 500, ...(type ? { type } : {}), ...extra });
}

async function uuidPipeFailure(): Promise<unknown> {
  return new ParseUUIDPipe().transform('nope', { type: 'param', data: 'id' }).catch((e: unknown) => e);
}

describe('toErrorAnswer: one shape for every layer', () => {
  it('keeps the edge code, problems and headers', () => {
    const answer = toErrorAnswer(new EdgeHttpException(405, HttpErrorCode.MethodNotAllowed, 'no', undefined, { Allow: 'GET' }));
    expect(answer).toEqual({ status: 405, body: { statusCode: 405, error: 'METHOD_NOT_ALLOWED', code: 'METHOD_NOT_ALLOWED', message: 'no' }, headers: { Allow: 'GET' } });
  });

  it('maps domain and event-store errors with their details', () => {
    expect(toErrorAnswer(new LifecycleError('lead', 'win')).body).toMatchObject({ statusCode: 409, error: 'CONFLICT', code: 'LIFECYCLE_VIOLATION', currentStage: 'lead' });
    expect(toErrorAnswer(new InvalidCommandError([{ field: 'x', reason: 'y' }])).body).toEqual({
      statusCode: 400,
      error: 'BAD_REQUEST',
      code: 'INVALID_COMMAND',
      message: 'x: y',
      problems: [{ field: 'x', reason: 'y' }],
    });
    expect(toErrorAnswer(new DomainError(DomainErrorCode.ProjectionBehind, 'later', { projection: 'kpi' })).body).toMatchObject({ statusCode: 503, error: 'SERVICE_UNAVAILABLE', projection: 'kpi' });
    expect(toErrorAnswer(new EventStoreError(EventStoreErrorCode.Unavailable, 'down', true)).body).toMatchObject({ statusCode: 503, code: 'STORE_UNAVAILABLE', retryable: true });
    expect(toErrorAnswer(new EventStoreError(EventStoreErrorCode.Closed, 'closed')).status).toBe(503);
    expect(toErrorAnswer(new EventStoreError(EventStoreErrorCode.WrongExpectedRevision, 'moved')).status).toBe(409);
  });

  it('gives Nest exceptions without a code one by status, in upper-snake names', async () => {
    expect(toErrorAnswer(new NotFoundException('Cannot GET /x'), { method: 'GET', path: '/x' }).body).toEqual({
      statusCode: 404,
      error: 'NOT_FOUND',
      code: 'ROUTE_NOT_FOUND',
      message: 'no route GET /x',
    });
    expect(toErrorAnswer(await uuidPipeFailure(), { params: { id: 'nope' } }).body).toEqual({
      statusCode: 400,
      error: 'BAD_REQUEST',
      code: 'VALIDATION_FAILED',
      message: 'id: must be a UUID',
      problems: [{ field: 'id', reason: 'must be a UUID' }],
    });
    expect(toErrorAnswer(new BadRequestException('odd')).body).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'request', reason: 'odd' }] });
    expect(toErrorAnswer(new BadRequestException({ error: 'Bad Request', code: 'VALIDATION_FAILED', message: 'm', problems: [{ field: 'a', reason: 'b' }] })).body).toEqual({
      statusCode: 400,
      error: 'BAD_REQUEST',
      code: 'VALIDATION_FAILED',
      message: 'm',
      problems: [{ field: 'a', reason: 'b' }],
    });
    expect(toErrorAnswer(new HttpException({ code: 'IDEMPOTENCY_KEY_REUSED', message: 'other body', key: 'k' }, 422)).body).toEqual({
      statusCode: 422,
      error: 'UNPROCESSABLE_ENTITY',
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: 'other body',
      key: 'k',
    });
    expect(toErrorAnswer(new ConflictException()).body).toMatchObject({ statusCode: 409, code: HttpErrorCode.RequestRefused });
    expect(toErrorAnswer(new ServiceUnavailableException()).body).toMatchObject({ statusCode: 503, code: HttpErrorCode.InternalError });
  });

  it('maps body-parser errors by their type', () => {
    const cases: Array<[Error, number, string]> = [
      [httpError(413, 'entity.too.large', 'request entity too large', { limit: 100 }), 413, 'BODY_TOO_LARGE'],
      [httpError(415, 'encoding.unsupported', 'content encoding unsupported'), 415, 'UNSUPPORTED_CONTENT_ENCODING'],
      [httpError(415, 'charset.unsupported', 'unsupported charset "LATIN1"'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [httpError(400, 'entity.parse.failed', 'Unexpected token'), 400, 'MALFORMED_JSON'],
      [httpError(403, 'entity.verify.failed', 'no'), 400, 'MALFORMED_JSON'],
      [httpError(400, 'request.aborted', 'request aborted'), 400, 'MALFORMED_REQUEST'],
      [httpError(400, 'request.size.invalid', 'request size did not match content length'), 400, 'MALFORMED_REQUEST'],
      [httpError(500, 'stream.encoding.set', 'stream encoding should not be set'), 500, 'INTERNAL_ERROR'],
      [httpError(400, undefined, 'incorrect header check'), 400, 'VALIDATION_FAILED'],
      [httpError(418, 'who.knows', 'teapot'), 418, 'REQUEST_REFUSED'],
    ];
    for (const [error, status, code] of cases) {
      const answer = toErrorAnswer(error);
      expect({ status: answer.status, code: answer.body.code, error: answer.body.error }).toEqual({ status, code, error: expect.stringMatching(/^[A-Z_]+$/) });
    }
    expect(toErrorAnswer(cases[0][0]).body.message).toBe('the body is larger than the limit of 100 bytes');
  });

  it('answers anything else with 500 INTERNAL_ERROR and no detail', () => {
    for (const thrown of [new Error('secret path /etc/x'), new TypeError('x is undefined'), 'a string', undefined, { status: 400 }]) {
      expect(toErrorAnswer(thrown)).toEqual({ status: 500, body: { statusCode: 500, error: 'INTERNAL_SERVER_ERROR', code: 'INTERNAL_ERROR', message: 'internal error' }, headers: {} });
    }
  });

  it('only ever answers codes of the published list', async () => {
    const samples: unknown[] = [new NotFoundException(), await uuidPipeFailure(), new HttpException('x', 451), httpError(431, undefined, 'x'), new Error('x')];
    for (const s of samples) expect(API_ERROR_CODES).toContain(toErrorAnswer(s).body.code);
  });
});
