import { CheckpointMovedError, type CheckpointStore, comparePositions, type GlobalPosition, START_POSITION } from '@lead-lifecycle/eventing';

/**
 * For a reaction that commits its own checkpoint (`commitsCheckpoint`) with its state: throws
 * CheckpointMovedError unless `name`'s stored checkpoint is `after`, where the batch starts. Another
 * runner on the same file (a rebuild) may have moved it; the runner then reloads it and goes on from
 * there, so the batch is applied only on the state it was read after, exactly once.
 */
export function assertCheckpointAt(checkpoints: CheckpointStore, name: string, after: GlobalPosition): void {
  const stored = checkpoints.load(name) ?? START_POSITION;
  if (comparePositions(stored, after) !== 0) throw new CheckpointMovedError(name, stored, after);
}
