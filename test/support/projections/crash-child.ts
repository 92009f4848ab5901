/**
 * A projection process that is killed (SIGKILL) in the middle of a read-model transaction, for the
 * crash-and-resume test. Run as a child process:
 *
 *   node -r ts-node/register -r tsconfig-paths/register crash-child.ts <events.sqlite> <read-models.sqlite> <projection> <killAt> <batchSize> [<poisonPolicy>]
 *
 * It folds the projections in PROJECTION_NAMES order with their own runners (poison policy `stop`
 * unless given); when `<projection>` applies its `<killAt>`-th event, or, for `<killAt>` written
 * `<eventId>:<k>`, when it applies that event for the k-th time (retries of a poison event included),
 * inside the transaction that also moves its checkpoint, the process kills itself: no rollback, no
 * close, no exit handlers, like a power cut of the process.
 */
import type Database from 'better-sqlite3';
import { SqliteEventStore, type StoredEvent } from '@lead-lifecycle/eventing';
import { type PoisonPolicy, ProcessorRunner, SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import { createProjections, PROJECTION_NAMES, type ProjectionName } from '@lead-lifecycle/projections/read-models';
import { type SqliteProjection, SqliteProjectionProcessor } from '@lead-lifecycle/projections/sqlite-projection';

class KillOnApply implements SqliteProjection {
  readonly name: string;
  readonly streamPrefixes: readonly string[];
  readonly tables: readonly string[];
  readonly releases?: SqliteProjection['releases'];
  private applied = 0;
  private readonly killAt: { count: number; eventId?: string };

  constructor(
    private readonly inner: SqliteProjection,
    killAt: string,
  ) {
    this.name = inner.name;
    this.streamPrefixes = inner.streamPrefixes;
    this.tables = inner.tables;
    this.releases = inner.releases;
    const [first, second] = killAt.split(':');
    this.killAt = second === undefined ? { count: Number(first) } : { eventId: first, count: Number(second) };
  }

  createTables(db: Database.Database): void {
    this.inner.createTables(db);
  }

  apply(db: Database.Database, event: StoredEvent): void {
    if ((this.killAt.eventId === undefined || event.eventId === this.killAt.eventId) && ++this.applied === this.killAt.count) {
      if (!db.inTransaction) throw new Error('expected to be inside the read-model transaction');
      process.kill(process.pid, 'SIGKILL');
    }
    this.inner.apply(db, event);
  }
}

export async function runCrashChild(argv: string[]): Promise<void> {
  const [eventsFile, readModelsFile, victim, killAt, batchSize, poisonPolicy] = argv;
  const store = new SqliteEventStore({ filename: eventsFile });
  const checkpoints = new SqliteCheckpointStore(readModelsFile);
  const projections = createProjections();
  for (const name of PROJECTION_NAMES) {
    const projection = name === (victim as ProjectionName) ? new KillOnApply(projections[name], killAt) : projections[name];
    const runner = new ProcessorRunner(store, checkpoints, new SqliteProjectionProcessor(checkpoints.db, projection), {
      batchSize: Number(batchSize),
      poisonPolicy: (poisonPolicy ?? 'stop') as PoisonPolicy,
      log: () => undefined,
    });
    await runner.catchUp();
  }
  // Not reached when the victim applies enough events.
  process.stdout.write('finished without crashing\n');
  await store.close();
  checkpoints.close();
}

if (require.main === module) {
  runCrashChild(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
}
