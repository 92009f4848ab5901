/**
 * A process that runs the three real SQLite projections and a processor that does not commit its own
 * checkpoint (an outbox that appends event ids to a file, as the Kafka relay publishes) on ONE
 * EventConsumer, live, and kills itself (SIGKILL) between two processors' checkpoints: when scoring is
 * handed its `<killAtBatch>`-th batch, after funnel committed that batch and before scoring, kpi and the
 * outbox did. Run as a child process:
 *
 *   node -r ts-node/register -r tsconfig-paths/register consumer-crash-child.ts <events.sqlite> <read-models.sqlite> <outbox.txt> <killAtBatch> <batchSize>
 */
import { appendFileSync } from 'node:fs';
import { EventConsumer, type EventProcessor, type GlobalPosition, ProcessorRunner, SqliteCheckpointStore, SqliteEventStore, type StoredEvent } from '@lead-lifecycle/eventing';
import { createProjections, PROJECTION_NAMES, SqliteProjectionProcessor } from '@lead-lifecycle/projections';

/** Appends the ids of the events it is handed to a file; its checkpoint is saved by the runner after it. */
export class FileOutboxProcessor implements EventProcessor {
  readonly name = 'outbox:file';
  readonly streamPrefixes = ['lead-', 'opportunity-'];
  constructor(private readonly file: string) {}

  async handleBatch(events: StoredEvent[]): Promise<void> {
    if (events.length) appendFileSync(this.file, events.map((e) => `${e.eventId}\n`).join(''));
  }
}

/** The real projection processor, which kills the process when it is handed its `killAt`-th batch. */
class KillOnBatch implements EventProcessor {
  readonly name: string;
  readonly streamPrefixes: readonly string[];
  readonly commitsCheckpoint = true;
  private batches = 0;

  constructor(
    private readonly inner: SqliteProjectionProcessor,
    private readonly killAt: number,
  ) {
    this.name = inner.name;
    this.streamPrefixes = inner.streamPrefixes;
  }

  async handleBatch(events: StoredEvent[], checkpoint: GlobalPosition, after: GlobalPosition): Promise<void> {
    if (++this.batches === this.killAt) process.kill(process.pid, 'SIGKILL');
    return this.inner.handleBatch(events, checkpoint, after);
  }

  quarantineLead(...args: Parameters<SqliteProjectionProcessor['quarantineLead']>): Promise<boolean> {
    return this.inner.quarantineLead(...args);
  }
}

async function main(argv: string[]): Promise<void> {
  const [eventsFile, readModelsFile, outboxFile, killAtBatch, batchSize] = argv;
  const store = new SqliteEventStore({ filename: eventsFile });
  const checkpoints = new SqliteCheckpointStore(readModelsFile);
  const projections = createProjections();
  const consumer = new EventConsumer(store);
  const options = { batchSize: Number(batchSize), poisonPolicy: 'stop' as const, log: () => undefined };
  const runners = PROJECTION_NAMES.map((name) => {
    const processor = new SqliteProjectionProcessor(checkpoints.db, projections[name]);
    return new ProcessorRunner(store, checkpoints, name === 'scoring' ? new KillOnBatch(processor, Number(killAtBatch)) : processor, options, consumer);
  });
  runners.push(new ProcessorRunner(store, checkpoints, new FileOutboxProcessor(outboxFile), options, consumer));
  runners.forEach((r) => r.start());
  const head = await store.headPosition();
  for (const runner of runners) await runner.waitFor(head, 30_000);
  // Not reached when scoring gets enough batches.
  process.stdout.write('finished without crashing\n');
  for (const runner of runners) await runner.stop();
  await store.close();
  checkpoints.close();
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
}
