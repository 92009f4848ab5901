/** Injection tokens of the identity module. */
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
export const API_KEY_STORE = Symbol('API_KEY_STORE');
export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
export const PLATFORM_KEY_SETUP = Symbol('PLATFORM_KEY_SETUP');
export const IDENTITY_CLOCK = Symbol('IDENTITY_CLOCK');
export const IDENTITY_OPTIONS = Symbol('IDENTITY_OPTIONS');
