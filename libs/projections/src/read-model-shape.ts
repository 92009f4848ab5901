import type Database from 'better-sqlite3';
import { quarantineTableOf } from './lead-quarantine';
import { projectionCheckpointName } from './sqlite-projection';

/**
 * Read models are derived data: when a projection's tables have an older shape (a column the current
 * code needs is missing, e.g. amounts as REAL before they became INTEGER minor units, or a table the
 * current code needs is missing while others of the projection exist, i.e. it was added since), its
 * tables, its checkpoint, its quarantine and its failures are dropped, so the runner refolds it from the
 * start of the log in the new shape. Called first thing in createTables; a no-op on a current or new database.
 */
export function refoldIfShapeChanged(
  db: Database.Database,
  projection: { readonly name: string; readonly tables: readonly string[] },
  required: Readonly<Record<string, readonly string[]>>,
): boolean {
  const columnsOf = (table: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
  const anyTable = projection.tables.some((table) => columnsOf(table).length > 0);
  const stale = Object.entries(required).some(([table, columns]) => {
    const present = columnsOf(table);
    // A table added since: the checkpoint is past events it never saw.
    if (present.length === 0) return anyTable;
    return columns.some((column) => !present.includes(column));
  });
  if (!stale) return false;
  // The quarantine went with the rows it marked: the refold decides it anew.
  for (const table of [...projection.tables, quarantineTableOf(projection.name)]) db.exec(`DROP TABLE IF EXISTS ${table}`);
  const name = projectionCheckpointName(projection.name);
  if (tableExists(db, 'checkpoints')) db.prepare('DELETE FROM checkpoints WHERE name = ?').run(name);
  if (tableExists(db, 'processor_failures')) db.prepare('DELETE FROM processor_failures WHERE processor = ?').run(name);
  return true;
}

function tableExists(db: Database.Database, table: string): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;
}
