import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEventStoreDb } from '@lead-lifecycle/eventing';
import { createRawEventStore, EngineConfig } from '@lead-lifecycle/lifecycle';

/**
 * EVENT_STORE=eventstoredb from the installed packages: the lifecycle package loads the adapter through
 * the eventing package (loadEventStoreDb), inside that package's dist, not by a path into the
 * repository's sources. The gRPC client (@eventstore/db-client, an optional peer dependency) resolves
 * from wherever the host has it installed; constructing the store opens no connection.
 */
void describe('the EventStoreDB adapter from the packages', () => {
  void it('is what createRawEventStore builds for EVENT_STORE=eventstoredb', async () => {
    const engine = EngineConfig.fromEnv({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:2113?tls=false' });
    const store = createRawEventStore(engine);
    try {
      assert.ok(store instanceof loadEventStoreDb().EventStoreDbEventStore, store.constructor.name);
    } finally {
      await store.close();
    }
  });
});
