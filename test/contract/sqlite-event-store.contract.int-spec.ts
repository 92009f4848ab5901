import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@lead-lifecycle/eventing';
import { describeEventStoreContract } from './event-store.contract';

for (const writer of ['main', 'thread'] as const) {
  describeEventStoreContract(`embedded SQLite, writer ${writer}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lead-lifecycle-contract-'));
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), writer });
    return {
      store,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}
