/** Stable codes of authentication and authorisation refusals, for the `code` of the error answer. */
export enum AuthErrorCode {
  /** 401: no usable credential. */
  Unauthenticated = 'UNAUTHENTICATED',
  /** 403: a valid credential whose roles do not allow the route. */
  Forbidden = 'FORBIDDEN',
  /** 403: an X-Tenant-Id header that names another tenant than the credential's. */
  TenantMismatch = 'TENANT_MISMATCH',
  /** 503: the identity provider's keys could not be fetched; the credential may well be valid. */
  AuthUnavailable = 'AUTH_UNAVAILABLE',
}

/**
 * Why a credential was not accepted. `invalid`: a token whose signature, algorithm, issuer, audience or
 * claims do not verify; `not_yet_valid`: a token used before its `nbf`.
 */
export type UnauthenticatedReason = 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked' | 'not_yet_valid' | 'invalid';

const STATUS: Record<AuthErrorCode, number> = {
  [AuthErrorCode.Unauthenticated]: 401,
  [AuthErrorCode.Forbidden]: 403,
  [AuthErrorCode.TenantMismatch]: 403,
  [AuthErrorCode.AuthUnavailable]: 503,
};

const STATUS_NAME: Record<number, string> = { 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 503: 'SERVICE_UNAVAILABLE' };

/** A refused request, typed; the HTTP layer turns it into the one error shape (see {@link authErrorBody}). */
export class AuthError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    readonly reason?: UnauthenticatedReason,
  ) {
    super(message);
    this.name = 'AuthError';
    this.statusCode = STATUS[code];
  }

  static unauthenticated(reason: UnauthenticatedReason, message: string = defaultMessage(reason)): AuthError {
    return new AuthError(AuthErrorCode.Unauthenticated, message, reason);
  }

  static forbidden(message = 'the credential does not allow this route'): AuthError {
    return new AuthError(AuthErrorCode.Forbidden, message);
  }

  /**
   * Headers the answer must carry: RFC 6750's challenge on every 401, so clients know to send a bearer token.
   * A rejected token is `invalid_token`; a missing one gets the bare challenge, as the RFC asks.
   */
  headers(): Record<string, string> {
    if (this.code !== AuthErrorCode.Unauthenticated) return {};
    if (this.reason === 'missing') return { 'WWW-Authenticate': 'Bearer' };
    return { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${this.reason}"` };
  }
}

/** The error answer for an AuthError: `{ statusCode, error, code, message, reason? }`. */
export function authErrorBody(error: AuthError): Record<string, unknown> {
  return {
    statusCode: error.statusCode,
    error: STATUS_NAME[error.statusCode],
    code: error.code,
    message: error.message,
    ...(error.reason ? { reason: error.reason } : {}),
  };
}

function defaultMessage(reason: UnauthenticatedReason): string {
  switch (reason) {
    case 'missing':
      return 'an Authorization: Bearer <token> header is required';
    case 'malformed':
      return 'the Authorization header is not a well-formed bearer credential';
    case 'unknown':
      return 'the credential is not known';
    case 'expired':
      return 'the credential has expired';
    case 'revoked':
      return 'the credential has been revoked';
    case 'not_yet_valid':
      return 'the token is not valid yet';
    case 'invalid':
      return 'the token does not verify';
  }
}
