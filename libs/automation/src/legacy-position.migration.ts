import { positionFromString, type SqliteCheckpointStore } from '@lead-lifecycle/eventing';

/** The old position tables of the reactions' state files, by file: what `adoptLegacyPositions` reads. */
export type LegacyPositionTable = 'sla_position' | 'aging_checkpoint';

/**
 * Moves the positions a reaction's state file kept in a table of its own (`name`, `position` as text),
 * from before its checkpoint lived in the runner's `checkpoints` table of the same file, into that
 * table, once, when the file is opened. A processor that already has a checkpoint row keeps it (it was
 * written by the new code and is newer). The old position, not the host's checkpoint of the same name,
 * is what the state is the fold of: the old reactions committed it with their state, while the host's
 * was saved after the batch and could lag behind; resuming from it applies no event twice.
 *
 * The old table is dropped in the same transaction: after the move it would be a second, stale
 * position beside the real one, which only misleads (whoever reads the file, or a later migration);
 * no code reads it any more, and the transaction leaves either the old table or the moved checkpoint,
 * never neither. Immediate, so two processes opening the file at once (the API's query connection
 * and the worker) move it once.
 */
export function adoptLegacyPositions(checkpoints: SqliteCheckpointStore, table: LegacyPositionTable): void {
  const db = checkpoints.db;
  db.transaction(() => {
    const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).pluck().get(table) !== undefined;
    if (!exists) return;
    const rows = db.prepare(`SELECT name, position FROM ${table}`).all() as Array<{ name: string; position: string }>;
    for (const { name, position } of rows) {
      if (checkpoints.load(name) === undefined) checkpoints.save(name, positionFromString(position));
    }
    db.exec(`DROP TABLE ${table}`);
  }).immediate();
}
