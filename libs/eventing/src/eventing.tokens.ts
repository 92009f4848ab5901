/** Injection tokens of the eventing parts, shared by the command side, the projections and the relay. */
export const EVENT_STORE = Symbol('EVENT_STORE');
export const CHECKPOINT_STORE = Symbol('CHECKPOINT_STORE');
export const KEY_STORE = Symbol('KEY_STORE');
