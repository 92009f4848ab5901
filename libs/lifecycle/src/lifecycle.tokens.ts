/** Injection tokens of the lifecycle module, for embedders who provide their own adapters. */
export const EVENT_STORE = Symbol('EVENT_STORE');
export const CLOCK = Symbol('CLOCK');
export const LIFECYCLE_CONFIG = Symbol('LIFECYCLE_CONFIG');
export const CHECKPOINT_STORE = Symbol('CHECKPOINT_STORE');
export const ENGINE_CONFIG = Symbol('ENGINE_CONFIG');
export const KEY_STORE = Symbol('KEY_STORE');
export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');
