import { DomainErrorCode } from '@lead-lifecycle/domain';
import { EventStoreErrorCode } from '@lead-lifecycle/eventing';
import { IDENTITY_ERROR_CODES } from '@lead-lifecycle/identity';

/**
 * Codes of the HTTP edge itself (transport, parsing, routing, idempotency). Together with the domain's
 * and the event store's codes they are every `code` an error answer can carry; clients switch on it.
 */
export enum HttpErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  MalformedJson = 'MALFORMED_JSON',
  JsonTooDeep = 'JSON_TOO_DEEP',
  BodyTooLarge = 'BODY_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  UnsupportedContentEncoding = 'UNSUPPORTED_CONTENT_ENCODING',
  RouteNotFound = 'ROUTE_NOT_FOUND',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  IdempotencyKeyInFlight = 'IDEMPOTENCY_KEY_IN_FLIGHT',
  /** The HTTP message itself is broken: unparsable request line or headers, a body shorter than its Content-Length. */
  MalformedRequest = 'MALFORMED_REQUEST',
  HeadersTooLarge = 'HEADERS_TOO_LARGE',
  RequestTimeout = 'REQUEST_TIMEOUT',
  /** Any other 4xx without a more precise code. */
  RequestRefused = 'REQUEST_REFUSED',
  InternalError = 'INTERNAL_ERROR',
  /** `GET /health/ready`: this instance cannot serve now (its `checks` say which check failed). */
  NotReady = 'NOT_READY',
}

/** Every code an error answer can carry. */
export const API_ERROR_CODES: readonly string[] = [
  ...Object.values(HttpErrorCode),
  ...Object.values(DomainErrorCode),
  ...Object.values(EventStoreErrorCode),
  ...IDENTITY_ERROR_CODES,
];
