import type { EventStore } from '@lead-lifecycle/eventing';
import { positionToString } from '@lead-lifecycle/eventing';
import { EventConsumer, type EventProcessor, type PoisonPolicy, type ProcessorCheckpoints, ProcessorRunner, type SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import { createProjections, type ProjectionName } from './read-models';
import { SqliteProjectionProcessor } from './sqlite-projection';

export interface RebuildReport {
  readonly projection: ProjectionName;
  readonly events: number;
  readonly position: string;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

export interface RebuildOptions {
  readonly batchSize?: number;
  readonly poisonPolicy?: PoisonPolicy;
  /** Called with the consumer's counters when the pass ends (reads of the log, events read). */
  readonly onMetrics?: (metrics: ReturnType<EventConsumer['metrics']>) => void;
}

/**
 * Drops a projection's tables, quarantine and checkpoint and refolds it from position zero under the
 * given poison policy (default `quarantine`, as the live projections): leads are quarantined again only
 * for events that still cannot be handled. A running API that shares the read-model file notices the
 * moved checkpoint and continues from wherever the rebuild got.
 */
export async function rebuildProjection(
  store: EventStore,
  checkpoints: SqliteCheckpointStore,
  name: ProjectionName,
  options: RebuildOptions = {},
): Promise<RebuildReport> {
  const [report] = await rebuildProjections(store, checkpoints, [name], options);
  return report;
}

/**
 * {@link rebuildProjection} for several projections in one pass: all are reset, then refolded together
 * from one read of the log (each batch read and decoded once, handed to each projection in its own
 * transaction). A projection stopped by a poison event (policy `stop`) does not hold back the others;
 * its error is thrown once they are done.
 */
export async function rebuildProjections(
  store: EventStore,
  checkpoints: SqliteCheckpointStore,
  names: readonly ProjectionName[],
  options: RebuildOptions = {},
): Promise<RebuildReport[]> {
  const projections = createProjections();
  const targets = names.map((name) => {
    const processor = new SqliteProjectionProcessor(checkpoints.db, projections[name]);
    processor.reset();
    return { name, processor, checkpoints };
  });
  return refold(store, targets, options);
}

/** One projection of a rebuild: its processor (already reset to nothing) and where its checkpoint is read. */
export interface RefoldTarget {
  readonly name: ProjectionName;
  readonly processor: EventProcessor;
  readonly checkpoints: ProcessorCheckpoints;
}

/**
 * Folds every target from its (reset) checkpoint to the head in one pass of one consumer, counting the
 * events each handled: the SQLite and the PostgreSQL rebuilds alike.
 */
export async function refold(store: EventStore, targets: readonly RefoldTarget[], options: RebuildOptions = {}): Promise<RebuildReport[]> {
  const consumer = new EventConsumer(store);
  const counted = new Map<ProjectionName, { tally: { events: number }; runner: ProcessorRunner }>();
  const started = process.hrtime.bigint();
  for (const { name, processor, checkpoints } of targets) {
    const tally = { events: 0 };
    const counting: EventProcessor = {
      name: processor.name,
      streamPrefixes: processor.streamPrefixes,
      commitsCheckpoint: true,
      handleBatch: async (...args: Parameters<EventProcessor['handleBatch']>) => {
        await processor.handleBatch(...args);
        tally.events += args[0].length;
      },
      ...(processor.quarantineLead ? { quarantineLead: processor.quarantineLead.bind(processor) } : {}),
    };
    const runner = new ProcessorRunner(store, checkpoints, counting, { batchSize: options.batchSize ?? 5000, poisonPolicy: options.poisonPolicy ?? 'quarantine' }, consumer);
    counted.set(name, { tally, runner });
  }
  try {
    await consumer.catchUp();
  } finally {
    options.onMetrics?.(consumer.metrics());
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return targets.map(({ name }) => {
    const { tally, runner } = counted.get(name)!;
    return { projection: name, events: tally.events, position: positionToString(runner.status().position), seconds, eventsPerSecond: Math.round(tally.events / seconds) };
  });
}
