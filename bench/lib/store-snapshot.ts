import type { SqliteStoreMetrics } from '@lead-lifecycle/eventing';
import type { KeyStoreTiming } from './timed-key-store';

/** The counters of one measured phase of the API process (see StoreProbe in engine-host.ts). */
export interface StoreSnapshot {
  /** SqliteEventStore.metrics() over the phase. */
  readonly sqlite: SqliteStoreMetrics;
  readonly keys: KeyStoreTiming;
  /** Synchronous time in the live processors' batches and checkpoint saves, ms. */
  readonly processorsMs: number;
}
