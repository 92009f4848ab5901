import { join } from 'node:path';
import { LEAD_UPCASTERS, OPPORTUNITY_UPCASTERS, UpcasterRegistry } from '@lead-lifecycle/domain';
import {
  ContactCipher,
  EncryptingEventStore,
  type EventStore,
  HashChainingEventStore,
  type KeyStore,
  SqliteEventStore,
  type StoredEvent,
  UpcastingEventStore,
} from '@lead-lifecycle/eventing';
import type { EngineConfig } from '../config/engine.config';

/** The configured store as it is on disk: the embedded SQLite file by default, EventStoreDB on request. */
export function createRawEventStore(config: EngineConfig): EventStore {
  const limits = { maxEventBytes: config.EVENT_MAX_BYTES, maxDepth: config.EVENT_MAX_DEPTH };
  switch (config.EVENT_STORE) {
    case 'sqlite':
      return new SqliteEventStore({ filename: join(config.DATA_DIR, 'events.sqlite'), durability: config.SQLITE_DURABILITY, limits });
    case 'eventstoredb': {
      // A relative path, because the build rewrites the path aliases of imports but not of a require() string.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand so the embedded default never pays for the gRPC client (~200 ms)
      const { EventStoreDbEventStore } = require('../../../eventing/src/eventstoredb') as typeof import('@lead-lifecycle/eventing/eventstoredb');
      return new EventStoreDbEventStore(config.EVENTSTORE_CONNECTION_STRING!, { limits });
    }
  }
}

/** The upcasters of the domain's events, keyed by type and schema version. */
export const domainUpcasters = new UpcasterRegistry([...LEAD_UPCASTERS, ...OPPORTUNITY_UPCASTERS]);

/** A stored event as today's code reads it (legacy business times normalised); the same object when current. */
export const upcastStoredEvent = (event: StoredEvent): StoredEvent => domainUpcasters.upcast(event);

/**
 * The store the engine works with: every lead and opportunity event sealed in a per-stream hash chain,
 * personal data encrypted with its lead's key (when a key store is given; without one, encrypted
 * contacts pass through unread, which is all the projections and the integrity check need), and,
 * outermost, every event read upcast to today's form, so commands, projections, the reaction, the
 * Kafka relay and history all see the same normalised events while the log keeps what was written.
 */
export function createEventStore(config: EngineConfig, keys?: KeyStore): EventStore {
  const chained = new HashChainingEventStore(createRawEventStore(config));
  const readable = keys ? new EncryptingEventStore(chained, new ContactCipher(keys)) : chained;
  return withDomainUpcasting(readable);
}

/**
 * `store` with every read upcast to today's event shapes. Applied to an embedder's own store too:
 * events written by older versions must read the same whichever store the host application wires.
 */
export function withDomainUpcasting(store: EventStore): EventStore {
  return store instanceof UpcastingEventStore ? store : new UpcastingEventStore(store, upcastStoredEvent);
}
