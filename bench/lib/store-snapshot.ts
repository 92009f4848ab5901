import type { SqliteStoreMetrics } from '@lead-lifecycle/eventing';
import type { RepositoryMetrics } from '@lead-lifecycle/lifecycle';
import type { KeyStoreTiming } from './timed-key-store';

/** The counters of one measured phase of the API process (see StoreProbe in engine-host.ts). */
export interface StoreSnapshot {
  /** SqliteEventStore.metrics() over the phase. */
  readonly sqlite: SqliteStoreMetrics;
  /** Absent when the engine built its own key store (processors in a worker thread): nothing wrapped it. */
  readonly keys?: KeyStoreTiming;
  /** Where the store wrote (SQLITE_WRITER): with `thread` the COMMIT time was spent off the command loop. */
  readonly writer?: 'main' | 'thread';
  /** Where the live processors ran: on this event loop, or in the API's worker thread. */
  readonly processorsIn: 'main' | 'worker';
  /** Time in the handleBatch of the live processors of this thread (the consumer's metrics), ms. */
  readonly processorsMs: number;
  /** The lead repository's metrics() over the phase: cache hits, loads and the events they folded. */
  readonly leads: RepositoryMetrics;
}
