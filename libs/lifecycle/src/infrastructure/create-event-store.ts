import { join } from 'node:path';
import { ContactCipher, EncryptingEventStore, EventStore, HashChainingEventStore, KeyStore, SqliteEventStore } from '@lead-lifecycle/event-store';
import { EngineConfig } from '../config/engine.config';

/** The configured store as it is on disk: the embedded SQLite file by default, EventStoreDB on request. */
export function createRawEventStore(config: EngineConfig): EventStore {
  const limits = { maxEventBytes: config.EVENT_MAX_BYTES, maxDepth: config.EVENT_MAX_DEPTH };
  switch (config.EVENT_STORE) {
    case 'sqlite':
      return new SqliteEventStore({ filename: join(config.DATA_DIR, 'events.sqlite'), durability: config.SQLITE_DURABILITY, limits });
    case 'eventstoredb': {
      // Loaded on demand so the embedded default never pays for the gRPC client (~200 ms). A relative
      // path, because the build rewrites the path aliases of imports but not of a require() string.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { EventStoreDbEventStore } = require('../../../event-store/src/eventstoredb') as typeof import('@lead-lifecycle/event-store/eventstoredb');
      return new EventStoreDbEventStore(config.EVENTSTORE_CONNECTION_STRING!, { limits });
    }
  }
}

/**
 * The store the engine works with: every lead and opportunity event sealed in a per-stream hash chain,
 * and personal data encrypted with its lead's key (when a key store is given; without one, encrypted
 * contacts pass through unread, which is all the projections and the integrity check need).
 */
export function createEventStore(config: EngineConfig, keys?: KeyStore): EventStore {
  const chained = new HashChainingEventStore(createRawEventStore(config));
  return keys ? new EncryptingEventStore(chained, new ContactCipher(keys)) : chained;
}
