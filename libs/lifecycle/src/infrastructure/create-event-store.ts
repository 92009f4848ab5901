import { join } from 'node:path';
import { EventStore, SqliteEventStore } from '@lead-lifecycle/event-store';
import { EngineConfig } from '../config/engine.config';

/** Builds the configured event store: the embedded SQLite file by default, EventStoreDB on request. */
export function createEventStore(config: EngineConfig): EventStore {
  switch (config.EVENT_STORE) {
    case 'sqlite':
      return new SqliteEventStore({ filename: join(config.DATA_DIR, 'events.sqlite'), durability: config.SQLITE_DURABILITY });
    case 'eventstoredb': {
      // Loaded on demand so the embedded default never pulls in the gRPC client.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { EventStoreDbEventStore } = require('@lead-lifecycle/event-store/eventstoredb');
      return new EventStoreDbEventStore(config.EVENTSTORE_CONNECTION_STRING!);
    }
  }
}
