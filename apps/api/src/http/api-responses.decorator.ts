import { applyDecorators, type Type } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import type { HeaderObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ErrorResponseDto } from './error-response.dto';

/** The header a replayed answer carries (see ApiIdempotencyKey). */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** What `:id` in a path names. */
export type Subject = 'lead' | 'opportunity';

/** A success answer of an operation: its status and body (a response class, or a full response object). */
export interface SuccessAnswer {
  readonly status: number;
  readonly description: string;
  readonly type?: Type<unknown>;
  readonly content?: ResponseObject['content'];
  readonly headers?: Record<string, HeaderObject>;
}

const PRINTABLE = '^[!-~][ -~]{0,199}$';

/**
 * Who is asking (see RequestContext): the credential (`Authorization: Bearer`) decides tenant and actor;
 * these headers may repeat the tenant, say whom the caller acts for, and tie events to a flow. A bad
 * value is a 400 naming the header.
 */
export const ApiContextHeaders = () =>
  applyDecorators(
    ApiHeader({
      name: 'X-Tenant-Id',
      required: false,
      description: "optional: the credential's tenant decides; a value naming another tenant is a 403 TENANT_MISMATCH",
      schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
    }),
    ApiHeader({
      name: 'X-Actor',
      required: false,
      description:
        'whom the caller acts for, recorded as `metadata.onBehalfOf` on every event it writes (the actor is always the credential); printable ASCII, at most 200',
      schema: { type: 'string', pattern: PRINTABLE, maxLength: 200 },
    }),
    ApiHeader({
      name: 'X-Correlation-Id',
      required: false,
      description: 'ties the events to a wider flow, recorded on every event (default: a new id); printable ASCII, at most 200',
      schema: { type: 'string', pattern: PRINTABLE, maxLength: 200 },
    }),
  );

/** Every POST: a retry with the same key and body replays the first answer and appends nothing. */
export const ApiIdempotencyKey = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'makes a retry safe: per tenant, the same key with the same body answers the first answer again (with ' +
      `\`${IDEMPOTENT_REPLAYED_HEADER}: true\`) and appends nothing; the same key with another body is a 422. Printable ASCII, at most 200`,
    schema: { type: 'string', pattern: '^[ -~]{1,200}$', maxLength: 200 },
  });

/** The `:id` path parameter. */
export const ApiIdParam = (subject: Subject) =>
  ApiParam({ name: 'id', required: true, description: `the ${subject} id`, schema: { type: 'string', format: 'uuid' } });

const error = (status: number, description: string) => ApiResponse({ status, description, type: ErrorResponseDto });

const notFound = (subject: Subject) =>
  error(404, `${subject === 'lead' ? 'LEAD_NOT_FOUND' : 'OPPORTUNITY_NOT_FOUND'}: no such ${subject} in this tenant`);
const badRequest = (what: string) =>
  error(400, `${what}; \`problems\` lists every bad field with the reason. VALIDATION_FAILED, MALFORMED_JSON, JSON_TOO_DEEP or INVALID_COMMAND`);
const internal = () => error(500, 'INTERNAL_ERROR: a fault of the service, logged with its cause');

/**
 * The refusals of the AuthGuard and the rate limit, on every operation: a public one too, since a
 * credential sent to it is still checked.
 */
export const ApiAccessErrors = (options: { public?: boolean } = {}) =>
  applyDecorators(
    ApiResponse({
      status: 401,
      description:
        'UNAUTHENTICATED: the credential is missing' + (options.public ? ' (only when one was sent: this route needs none)' : '') +
        ', malformed, unknown, expired or revoked; with `WWW-Authenticate: Bearer`',
      type: ErrorResponseDto,
      headers: { 'WWW-Authenticate': { description: 'the RFC 6750 bearer challenge', schema: { type: 'string' } } },
    }),
    error(403, "FORBIDDEN: the credential's roles do not allow this route; TENANT_MISMATCH: X-Tenant-Id names another tenant"),
    ApiResponse({
      status: 429,
      description: 'RATE_LIMITED: too many requests for this credential; retry after `Retry-After` seconds',
      type: ErrorResponseDto,
      headers: { 'Retry-After': { description: 'seconds until the next request is accepted', schema: { type: 'integer' } } },
    }),
  );

/**
 * Every refusal a command can answer, in the one error shape. The body checks (413, 415, malformed or too
 * deep JSON) come before anything is read or written; no refusal appends an event.
 */
export const ApiCommandErrors = (subject?: Subject) =>
  applyDecorators(
    ApiAccessErrors(),
    badRequest('the body, the path or a header is invalid, or the domain refused a value'),
    ...(subject ? [notFound(subject)] : []),
    error(
      409,
      'LIFECYCLE_VIOLATION (with currentStage and attemptedMove) or QUALIFICATION_REFUSED: not allowed in its current state; ' +
        'CONCURRENCY_CONFLICT or WRONG_EXPECTED_REVISION: concurrent writers kept winning, retry; IDEMPOTENCY_KEY_IN_FLIGHT: ' +
        'a request with this Idempotency-Key is still running, retry later; LEAD_ALREADY_EXISTS',
    ),
    error(413, 'BODY_TOO_LARGE: the body is over the size limit'),
    error(415, 'UNSUPPORTED_MEDIA_TYPE: the body is not `application/json` in UTF-8; UNSUPPORTED_CONTENT_ENCODING'),
    error(422, 'IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was used with another body'),
    internal(),
    error(503, 'STORE_UNAVAILABLE: the event store cannot be reached; nothing was written, retry later'),
  );

/**
 * Every refusal a query can answer. `readModel`: it may wait for a projection (`minPosition`);
 * `store: false`: it answers from a state file of the data folder alone, so no 503 of the store.
 */
export const ApiQueryErrors = (options: { subject?: Subject; readModel?: boolean; validates?: boolean; public?: boolean; store?: boolean } = {}) =>
  applyDecorators(
    ApiAccessErrors({ public: options.public }),
    ...(options.validates === false ? [] : [badRequest('the query, the path or a header is invalid')]),
    ...(options.subject ? [notFound(options.subject)] : []),
    internal(),
    ...(options.store === false
      ? []
      : [
          error(
            503,
            options.readModel
              ? 'PROJECTION_BEHIND: the read model did not reach `minPosition` within READ_WAIT_MAX_MS, retry; STORE_UNAVAILABLE'
              : 'STORE_UNAVAILABLE: the event store cannot be reached, retry later',
          ),
        ]),
  );

function successResponses(answers: readonly SuccessAnswer[], replayable: boolean) {
  return answers.map((answer) =>
    ApiResponse({
      status: answer.status,
      description: answer.description,
      ...(answer.type ? { type: answer.type } : {}),
      ...(answer.content ? { content: answer.content } : {}),
      headers: {
        ...answer.headers,
        ...(replayable
          ? {
              [IDEMPOTENT_REPLAYED_HEADER]: {
                description: 'present, "true", when this is the stored answer of an earlier request with the same Idempotency-Key',
                schema: { type: 'string', enum: ['true'] },
              },
            }
          : {}),
      },
    }),
  );
}

/**
 * A command route: summary and description, Idempotency-Key, the `:id` of its subject, its success
 * answers and every error it can answer.
 */
export const ApiCommandOperation = (options: { summary: string; description?: string; subject?: Subject; success: readonly SuccessAnswer[] }) =>
  applyDecorators(
    ApiOperation({
      summary: options.summary,
      description: `${options.description ? `${options.description}\n\n` : ''}A refused request appends nothing. Send an Idempotency-Key to retry safely.`,
    }),
    ApiIdempotencyKey(),
    ...(options.subject ? [ApiIdParam(options.subject)] : []),
    ...successResponses(options.success, true),
    ApiCommandErrors(options.subject),
  );

/** A query route: summary and description, the `:id` of its subject, its success answer and its errors. */
export const ApiQueryOperation = (options: {
  summary: string;
  description?: string;
  subject?: Subject;
  readModel?: boolean;
  validates?: boolean;
  /** A route that needs no credential (see @Public). */
  public?: boolean;
  /** False for a route that never reads the event store (no 503 STORE_UNAVAILABLE). */
  store?: boolean;
  success: SuccessAnswer;
}) =>
  applyDecorators(
    ApiOperation({ summary: options.summary, description: options.description ?? `${options.summary}.` }),
    ...(options.subject ? [ApiIdParam(options.subject)] : []),
    ...successResponses([options.success], false),
    ApiQueryErrors(options),
  );
