import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { DomainError, DomainErrorCode, type FieldProblem } from '@lead-lifecycle/domain';
import { EventStoreError, EventStoreErrorCode } from '@lead-lifecycle/eventing';
import { AuthError } from '@lead-lifecycle/identity';
import { HttpErrorCode } from './api-error-code';
import { EdgeHttpException } from './edge-http.exception';
import { httpStatusName } from './http-status-name';

/** The one error shape (see ErrorResponseDto), with the headers some statuses need (Allow on 405). */
export interface ErrorAnswer {
  readonly status: number;
  readonly body: {
    statusCode: number;
    error: string;
    code: string;
    message: string;
    problems?: readonly FieldProblem[];
    [detail: string]: unknown;
  };
  readonly headers: Readonly<Record<string, string>>;
}

/** What of the request the translation may use. */
export interface RequestFacts {
  readonly method?: string;
  readonly path?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

const STATUS_BY_DOMAIN_CODE: Record<DomainErrorCode, number> = {
  [DomainErrorCode.InvalidCommand]: HttpStatus.BAD_REQUEST,
  [DomainErrorCode.LeadNotFound]: HttpStatus.NOT_FOUND,
  [DomainErrorCode.OpportunityNotFound]: HttpStatus.NOT_FOUND,
  [DomainErrorCode.LeadAlreadyExists]: HttpStatus.CONFLICT,
  [DomainErrorCode.LifecycleViolation]: HttpStatus.CONFLICT,
  [DomainErrorCode.QualificationRefused]: HttpStatus.CONFLICT,
  [DomainErrorCode.ConcurrencyConflict]: HttpStatus.CONFLICT,
  [DomainErrorCode.InvalidConfiguration]: HttpStatus.INTERNAL_SERVER_ERROR,
  [DomainErrorCode.ProjectionBehind]: HttpStatus.SERVICE_UNAVAILABLE,
  [DomainErrorCode.TeamNotFound]: HttpStatus.NOT_FOUND,
  [DomainErrorCode.TeamAlreadyExists]: HttpStatus.CONFLICT,
  [DomainErrorCode.TeamMemberNotFound]: HttpStatus.NOT_FOUND,
  [DomainErrorCode.TeamMemberAlreadyAdded]: HttpStatus.CONFLICT,
};

const STATUS_BY_STORE_CODE: Record<EventStoreErrorCode, number> = {
  [EventStoreErrorCode.WrongExpectedRevision]: HttpStatus.CONFLICT,
  [EventStoreErrorCode.Unavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [EventStoreErrorCode.Closed]: HttpStatus.SERVICE_UNAVAILABLE,
  [EventStoreErrorCode.InvalidEvent]: HttpStatus.INTERNAL_SERVER_ERROR,
};

/** The code of an error that brought none, by its status. */
const CODE_BY_STATUS: Readonly<Record<number, HttpErrorCode>> = {
  400: HttpErrorCode.ValidationFailed,
  404: HttpErrorCode.RouteNotFound,
  405: HttpErrorCode.MethodNotAllowed,
  408: HttpErrorCode.RequestTimeout,
  413: HttpErrorCode.BodyTooLarge,
  415: HttpErrorCode.UnsupportedMediaType,
  431: HttpErrorCode.HeadersTooLarge,
};

/**
 * body-parser's errors by their `type` (they reach the filter unchanged through Nest's error
 * handler). Most are pre-empted by the request-input middleware; the rest are transport failures.
 */
const BODY_PARSER_ERRORS: Readonly<Record<string, { status: number; code: HttpErrorCode; message?: (e: BodyParserError) => string }>> = {
  'entity.too.large': { status: 413, code: HttpErrorCode.BodyTooLarge, message: (e) => `the body is larger than the limit of ${e.limit ?? 'the configured'} bytes` },
  'parameters.too.many': { status: 413, code: HttpErrorCode.BodyTooLarge },
  'encoding.unsupported': { status: 415, code: HttpErrorCode.UnsupportedContentEncoding, message: () => 'the Content-Encoding is not accepted; send the body uncompressed' },
  'charset.unsupported': { status: 415, code: HttpErrorCode.UnsupportedMediaType, message: () => 'the charset is not accepted; send application/json (UTF-8)' },
  'entity.parse.failed': { status: 400, code: HttpErrorCode.MalformedJson, message: () => 'the body is not valid JSON' },
  'entity.verify.failed': { status: 400, code: HttpErrorCode.MalformedJson, message: () => 'the body was refused' },
  'request.aborted': { status: 400, code: HttpErrorCode.MalformedRequest, message: () => 'the request was aborted before its body was complete' },
  'request.size.invalid': { status: 400, code: HttpErrorCode.MalformedRequest, message: () => 'the body does not have the length its Content-Length announced' },
  'stream.encoding.set': { status: 500, code: HttpErrorCode.InternalError },
  'stream.not.readable': { status: 500, code: HttpErrorCode.InternalError },
};

/**
 * Fastify's errors by their `code`, for what its router and body reading refuse before the edge's hook
 * or parser could (fastify-edge.ts): a chunked body over the limit, a body shorter than announced, a URL
 * that cannot be decoded.
 */
const FASTIFY_ERRORS: Readonly<Record<string, { status: number; code: HttpErrorCode; message: string; field?: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: HttpErrorCode.BodyTooLarge, message: 'the body is larger than the limit of HTTP_BODY_LIMIT_BYTES' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: HttpErrorCode.MalformedRequest, message: 'the body does not have the length its Content-Length announced' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: HttpErrorCode.UnsupportedMediaType, message: 'the Content-Type is not accepted; send application/json (UTF-8)' },
  FST_ERR_CTP_INVALID_TYPE: { status: 415, code: HttpErrorCode.UnsupportedMediaType, message: 'the Content-Type is not accepted; send application/json (UTF-8)' },
  FST_ERR_BAD_URL: { status: 400, code: HttpErrorCode.ValidationFailed, message: 'path: a path segment is not valid percent-encoding', field: 'path' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 400, code: HttpErrorCode.ValidationFailed, message: 'path: a path segment is too long', field: 'path' },
};

/** An http-errors error as body-parser, raw-body and Express raise them, or a Fastify error (`code` FST_ERR_…). */
interface BodyParserError extends Error {
  readonly type?: string;
  readonly status?: number;
  readonly statusCode?: number;
  readonly expose?: boolean;
  readonly limit?: number;
  readonly code?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Translates anything thrown by any layer (edge middleware, router, pipes, handlers, domain, event
 * store) into the one error shape. What it does not recognise is a 500 INTERNAL_ERROR without details.
 */
export function toErrorAnswer(exception: unknown, request: RequestFacts = {}): ErrorAnswer {
  if (exception instanceof EdgeHttpException) {
    return answer(exception.getStatus(), exception.code, exception.message, { problems: exception.problems }, exception.headers);
  }
  if (exception instanceof AuthError) return fromAuthError(exception);
  if (exception instanceof HttpException) {
    // The AuthGuard wraps its refusals; the cause keeps the challenge headers (WWW-Authenticate on a 401).
    if (exception.cause instanceof AuthError) return fromAuthError(exception.cause);
    return fromHttpException(exception, request);
  }
  if (exception instanceof DomainError) {
    const { problems, ...details } = exception.details as { problems?: FieldProblem[] };
    return answer(STATUS_BY_DOMAIN_CODE[exception.code] ?? 500, exception.code, exception.message, { ...details, problems });
  }
  if (exception instanceof EventStoreError) {
    return answer(STATUS_BY_STORE_CODE[exception.code] ?? 500, exception.code, exception.message, { retryable: exception.retryable });
  }
  if (isHttpError(exception)) return fromHttpError(exception);
  return internalError();
}

/** 401 (with RFC 6750's `WWW-Authenticate: Bearer` challenge), 403 or 503 of authentication and authorisation. */
function fromAuthError(error: AuthError): ErrorAnswer {
  return answer(error.statusCode, error.code, error.message, error.reason ? { reason: error.reason } : {}, error.headers());
}

function fromHttpException(exception: HttpException, request: RequestFacts): ErrorAnswer {
  const status = exception.getStatus();
  const payload = exception.getResponse();
  const fields: Record<string, unknown> = typeof payload === 'object' && payload !== null ? { ...payload } : { message: payload };
  const { statusCode: _s, error: _e, code, message, problems, ...details } = fields;
  const text = messageText(message) ?? exception.message;
  const resolvedCode = typeof code === 'string' ? code : codeForStatus(status);
  if (typeof code !== 'string' && status === 404) {
    return answer(404, HttpErrorCode.RouteNotFound, `no route ${request.method ?? ''} ${request.path ?? ''}`.replace(/\s+/g, ' ').trim());
  }
  if (Array.isArray(problems)) return answer(status, resolvedCode, text, { ...details, problems: problems as FieldProblem[] });
  if (!isValidationFailed(resolvedCode)) return answer(status, resolvedCode, text, details);
  const derived = problemsOf(text, request);
  const said = derived.some((p) => p.field === 'request') ? text : derived.map((p) => `${p.field}: ${p.reason}`).join('; ');
  return answer(status, resolvedCode, said, { ...details, problems: derived });
}

/** Problems for a 400 that named none: Nest's ParseUUIDPipe and the router's parameter decoding. */
function problemsOf(message: string, request: RequestFacts): FieldProblem[] {
  if (/uuid is expected/i.test(message)) {
    const fields = Object.entries(request.params ?? {}).filter(([, v]) => typeof v !== 'string' || !UUID.test(v)).map(([k]) => k);
    return (fields.length ? fields : ['id']).map((field) => ({ field, reason: 'must be a UUID' }));
  }
  if (/decode param/i.test(message)) return [{ field: 'path', reason: 'a path segment is not valid percent-encoding' }];
  return [{ field: 'request', reason: message }];
}

function fromHttpError(error: BodyParserError): ErrorAnswer {
  const fastify = typeof error.code === 'string' ? FASTIFY_ERRORS[error.code] : undefined;
  if (fastify) {
    const reason = fastify.message.replace(/^path: /, '');
    return answer(fastify.status, fastify.code, fastify.message, fastify.field ? { problems: [{ field: fastify.field, reason }] } : {});
  }
  const known = error.type ? BODY_PARSER_ERRORS[error.type] : undefined;
  if (known) {
    if (known.status >= 500) return internalError();
    return answer(known.status, known.code, known.message?.(error) ?? error.message);
  }
  const status = error.status ?? error.statusCode ?? 500;
  if (status < 400 || status >= 500) return internalError();
  const message = error.expose === false ? (STATUS_CODES[status] ?? 'request refused') : error.message;
  const code = codeForStatus(status);
  return answer(status, code, message, code === HttpErrorCode.ValidationFailed ? { problems: [{ field: 'request', reason: message }] } : {});
}

function isHttpError(exception: unknown): exception is BodyParserError {
  if (!(exception instanceof Error)) return false;
  const e = exception as BodyParserError;
  return typeof e.type === 'string' || typeof e.status === 'number' || typeof e.statusCode === 'number';
}

/** Whether an answer's code, ours or one an exception's payload carried (a plain string), is VALIDATION_FAILED. */
function isValidationFailed(code: string): boolean {
  const validationFailed: string = HttpErrorCode.ValidationFailed;
  return code === validationFailed;
}

function codeForStatus(status: number): HttpErrorCode {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? HttpErrorCode.InternalError : HttpErrorCode.RequestRefused);
}

function messageText(message: unknown): string | undefined {
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return undefined;
}

function internalError(): ErrorAnswer {
  return answer(500, HttpErrorCode.InternalError, 'internal error');
}

function answer(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> & { problems?: readonly FieldProblem[] } = {},
  headers: Readonly<Record<string, string>> = {},
): ErrorAnswer {
  const valid = Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
  const { problems, ...details } = extra;
  return {
    status: valid,
    body: {
      ...details,
      statusCode: valid,
      error: httpStatusName(valid),
      code,
      message,
      ...(problems && problems.length ? { problems } : {}),
    },
    headers,
  };
}
