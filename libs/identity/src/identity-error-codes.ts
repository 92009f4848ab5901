import { AuthErrorCode } from './auth-error';
import { RATE_LIMITED } from './nest/credential-throttler.guard';

/** A DELETE or lookup of an API key id that does not exist (404). */
export const API_KEY_NOT_FOUND = 'API_KEY_NOT_FOUND';

/** Every `code` an identity refusal can carry: for the API's list of error codes (API_ERROR_CODES). */
export const IDENTITY_ERROR_CODES: readonly string[] = [...Object.values(AuthErrorCode), RATE_LIMITED, API_KEY_NOT_FOUND];
