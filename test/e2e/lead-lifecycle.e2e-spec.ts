import { join } from 'node:path';
import { SqliteEventStore } from '@lead-lifecycle/eventing';
import { describeLifecycleScenarios } from './lifecycle.scenarios';

describeLifecycleScenarios('embedded SQLite store', {
  env: () => ({ EVENT_STORE: 'sqlite' }),
  openStore: (dataDir) => new SqliteEventStore({ filename: join(dataDir, 'events.sqlite') }),
});
