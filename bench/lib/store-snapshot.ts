import type { SqliteStoreMetrics } from '@lead-lifecycle/eventing';
import type { KeyStoreTiming } from './timed-key-store';

/** The counters of one measured phase of the API process (see StoreProbe in engine-host.ts). */
export interface StoreSnapshot {
  /** SqliteEventStore.metrics() over the phase. */
  readonly sqlite: SqliteStoreMetrics;
  /** Absent when the engine built its own key store (processors in a worker thread): nothing wrapped it. */
  readonly keys?: KeyStoreTiming;
  /** Where the live processors ran: on this event loop, or in the API's worker thread. */
  readonly processorsIn: 'main' | 'worker';
  /** Synchronous time in the live processors' batches and checkpoint saves, ms. */
  readonly processorsMs: number;
}
