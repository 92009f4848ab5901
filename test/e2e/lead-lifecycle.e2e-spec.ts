import { join } from 'node:path';
import { SqliteEventStore } from '@lead-lifecycle/event-store';
import { describeLifecycleScenarios } from './lifecycle.scenarios';

describeLifecycleScenarios('embedded SQLite store', {
  env: () => ({ EVENT_STORE: 'sqlite' }),
  openStore: (dataDir) => new SqliteEventStore({ filename: join(dataDir, 'events.sqlite') }),
});
