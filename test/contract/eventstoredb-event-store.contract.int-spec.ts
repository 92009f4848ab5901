import { EventStoreDbEventStore } from '@lead-lifecycle/eventing/eventstoredb';
import { provideEventStoreDb, warnIfNotRealEventStoreDb } from '../support/esdb/provide-eventstoredb';
import { describeEventStoreContract } from './event-store.contract';

jest.setTimeout(180_000);

describeEventStoreContract('EventStoreDB', async () => {
  const db = await provideEventStoreDb();
  warnIfNotRealEventStoreDb(db, 'EventStoreDB event store contract');
  if (!db.available) throw new Error(db.reason);
  const store = new EventStoreDbEventStore(db.connectionString);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await db.stop();
    },
  };
});
