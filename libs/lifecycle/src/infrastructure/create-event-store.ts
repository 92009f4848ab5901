import { join } from 'node:path';
import { DOMAIN_UPCASTERS, SEALED_STREAM_PREFIXES } from '@lead-lifecycle/domain';
import {
  ContactCipher,
  EncryptingEventStore,
  type EventStore,
  HashChainingEventStore,
  type KeyStore,
  loadEventStoreDb,
  SqliteEventStore,
  type StoredEvent,
  UpcastingEventStore,
} from '@lead-lifecycle/eventing';
import { type EngineConfig } from '../config/engine.config';
import { LEAD_PERSONAL_DATA_POLICY } from './lead-personal-data.policy';

export interface EventStoreOptions {
  /**
   * How often a subscription of the embedded store looks for events another connection appended (its
   * own appends wake it at once): a processor worker follows the API's appends this way.
   */
  readonly pollIntervalMs?: number;
  /** The adapter to build on, instead of one made from the settings: the benchmark reads the counters of the one it holds. */
  readonly raw?: EventStore;
}

/** The configured store as it is on disk: the embedded SQLite file by default, EventStoreDB on request. */
export function createRawEventStore(config: EngineConfig, options: EventStoreOptions = {}): EventStore {
  const limits = { maxEventBytes: config.EVENT_MAX_BYTES, maxDepth: config.EVENT_MAX_DEPTH };
  switch (config.EVENT_STORE) {
    case 'sqlite':
      return new SqliteEventStore({
        filename: join(config.DATA_DIR, 'events.sqlite'),
        durability: config.SQLITE_DURABILITY,
        writer: config.SQLITE_WRITER,
        limits,
        pollIntervalMs: options.pollIntervalMs,
      });
    case 'eventstoredb': {
      // Loaded on demand, by the eventing package itself (see loadEventStoreDb), so the embedded default
      // never pays for the gRPC client and the packaged code resolves the adapter inside its own dist.
      const { EventStoreDbEventStore } = loadEventStoreDb();
      return new EventStoreDbEventStore(config.EVENTSTORE_CONNECTION_STRING!, { limits });
    }
  }
}

/**
 * A stored event as today's code reads it (legacy business times normalised); the same object when
 * current. The same registry the domain's decoders apply (DOMAIN_UPCASTERS).
 */
export const upcastStoredEvent = (event: StoredEvent): StoredEvent => DOMAIN_UPCASTERS.upcast(event);

/**
 * The store the engine works with: every lead, opportunity and team event sealed in a per-stream hash chain,
 * personal data (LEAD_PERSONAL_DATA_POLICY) encrypted with its lead's key (when a key store is given; without one, encrypted
 * contacts pass through unread, which is all the projections and the integrity check need), and,
 * outermost, every event read upcast to today's form, so commands, projections, the reaction, the
 * Kafka relay and history all see the same normalised events while the log keeps what was written.
 */
export function createEventStore(config: EngineConfig, keys?: KeyStore, options: EventStoreOptions = {}): EventStore {
  const chained = new HashChainingEventStore(options.raw ?? createRawEventStore(config, options), SEALED_STREAM_PREFIXES);
  const readable = keys ? new EncryptingEventStore(chained, new ContactCipher(keys), LEAD_PERSONAL_DATA_POLICY) : chained;
  return withDomainUpcasting(readable);
}

/**
 * `store` with every read upcast to today's event shapes. Applied to an embedder's own store too:
 * events written by older versions must read the same whichever store the host application wires.
 */
export function withDomainUpcasting(store: EventStore): EventStore {
  return store instanceof UpcastingEventStore ? store : new UpcastingEventStore(store, upcastStoredEvent);
}
