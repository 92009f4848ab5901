/** Injection tokens of the eventing parts, shared by the command side, the projections and the relay. */
export const EVENT_STORE = Symbol('EVENT_STORE');
export const CHECKPOINT_STORE = Symbol('CHECKPOINT_STORE');
export const KEY_STORE = Symbol('KEY_STORE');
/**
 * The clock (libs/domain's `Clock`) that the command side, the projections and the relay read time
 * from. Here rather than in the lifecycle library so read models can inject it without importing the
 * command library; libs/lifecycle re-exports the same Symbol, so providers keyed by either match.
 */
export const CLOCK = Symbol('CLOCK');
