import Database from 'better-sqlite3';
import { type EventProcessor, type GlobalPosition, positionToString, SqliteCheckpointStore } from '@lead-lifecycle/eventing';

/**
 * Turns a reaction's state file back into the format from before its checkpoint lived in the file's
 * `checkpoints` table: the position in the reaction's old table `table` (`name`, `position`), written
 * with the state, and no checkpoint tables. Answers the position, which the migration must resume from.
 */
export function toLegacyPositionFile(file: string, table: 'sla_position' | 'aging_checkpoint', name: string): GlobalPosition {
  const checkpoints = new SqliteCheckpointStore(file);
  const position = checkpoints.load(name);
  checkpoints.close();
  if (!position) throw new Error(`${file} has no checkpoint for ${name} to turn into ${table}`);
  const db = new Database(file);
  try {
    db.exec(`CREATE TABLE ${table} (name TEXT PRIMARY KEY, position TEXT NOT NULL); DROP TABLE checkpoints; DROP TABLE processor_failures`);
    db.prepare(`INSERT INTO ${table} (name, position) VALUES (?, ?)`).run(name, positionToString(position));
  } finally {
    db.close();
  }
  return position;
}

/** What a reaction class is handed while `work` runs (calls go through): every event's position, and where the first batch started. */
export async function deliveriesDuring(
  reaction: { prototype: Pick<EventProcessor, 'handleBatch'> },
  work: () => Promise<void>,
): Promise<{ positions: GlobalPosition[]; firstAfter?: GlobalPosition }> {
  const handleBatch = jest.spyOn(reaction.prototype, 'handleBatch');
  try {
    await work();
    const calls = handleBatch.mock.calls;
    return { positions: calls.flatMap(([events]) => events.map((e) => e.position)), firstAfter: calls[0]?.[2] };
  } finally {
    handleBatch.mockRestore();
  }
}

/** Whether `sqlite_master` of `file` still lists table `table`. */
export function hasTable(file: string, table: string): boolean {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;
  } finally {
    db.close();
  }
}
