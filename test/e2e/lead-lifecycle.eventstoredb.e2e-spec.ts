import { EventStoreDbEventStore } from '@lead-lifecycle/eventing/eventstoredb';
import { type EventStoreDbForTests, provideEventStoreDb, warnIfNotRealEventStoreDb } from '../support/esdb/provide-eventstoredb';
import { describeLifecycleScenarios } from './lifecycle.scenarios';

/**
 * The same HTTP lifecycle on EventStoreDB, through @eventstore/db-client: against a real server when
 * EVENTSTORE_CONNECTION_STRING is set or Docker answers, else against the protocol test server (said loudly).
 */
let db: EventStoreDbForTests & { available: true };

beforeAll(async () => {
  const provided = await provideEventStoreDb();
  if (!provided.available) throw new Error(`no EventStoreDB for the end-to-end tests: ${provided.reason}`);
  warnIfNotRealEventStoreDb(provided, 'lead lifecycle end-to-end on EventStoreDB');
  db = provided;
});

afterAll(async () => db?.stop());

describeLifecycleScenarios('EventStoreDB', {
  env: () => ({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: db.connectionString }),
  openStore: () => new EventStoreDbEventStore(db.connectionString),
});
