import { join } from 'node:path';
import { SqliteEventStore } from '@lead-lifecycle/eventing';
import { describeLifecycleScenarios } from './lifecycle.scenarios';

// Each start of the API starts the store's writer thread, which compiles its few files with ts-node
// (jest's transform does not reach a worker): on a loaded 2-core machine the scenarios that restart the
// API three times need more than jest's default 5 s.
jest.setTimeout(60_000);

describeLifecycleScenarios('embedded SQLite store, writer thread', {
  env: () => ({ EVENT_STORE: 'sqlite', SQLITE_WRITER: 'thread' }),
  openStore: (dataDir) => new SqliteEventStore({ filename: join(dataDir, 'events.sqlite') }),
});
