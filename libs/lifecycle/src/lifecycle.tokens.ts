/** Injection tokens of the lifecycle module, for embedders who provide their own adapters. */
export const LIFECYCLE_CONFIG = Symbol('LIFECYCLE_CONFIG');
export const ENGINE_CONFIG = Symbol('ENGINE_CONFIG');
export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');
/** The host's code plugged into the lead decider (LeadDecisionExtensions, from forRoot `scoring`). */
export const LEAD_DECISION_EXTENSIONS = Symbol('LEAD_DECISION_EXTENSIONS');
// The clock, store, checkpoint and key tokens belong to the eventing library; re-exported for embedders.
export { CHECKPOINT_STORE, CLOCK, EVENT_STORE, KEY_STORE } from '@lead-lifecycle/eventing';

/** The engine's options, as given to forRoot or made by forRootAsync's factory. */
export const LIFECYCLE_MODULE_OPTIONS = Symbol('LIFECYCLE_MODULE_OPTIONS');
