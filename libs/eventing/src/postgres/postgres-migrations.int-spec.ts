import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase, type FreshDatabase } from '../../../../test/support/postgres/fresh-database';
import { migrationsIn, runMigrations } from './postgres-migrations';

describe('PostgreSQL migrations (local PostgreSQL server)', () => {
  let db: FreshDatabase;
  beforeEach(async () => (db = await freshDatabase()));
  afterEach(() => db.drop());

  const folderWith = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
    return dir;
  };

  it('applies the files of a folder in name order, once, and records them per area', async () => {
    const dir = folderWith({
      '0002-add-column.sql': 'ALTER TABLE things ADD COLUMN colour TEXT;',
      '0001-create.sql': 'CREATE TABLE things (id TEXT PRIMARY KEY);',
      'notes.txt': 'not a migration',
    });
    const first = await runMigrations(db.pool, 'things', migrationsIn(dir));
    expect(first).toEqual({ applied: ['0001-create', '0002-add-column'], alreadyApplied: [] });
    const second = await runMigrations(db.pool, 'things', migrationsIn(dir));
    expect(second).toEqual({ applied: [], alreadyApplied: ['0001-create', '0002-add-column'] });
    await db.pool.query("INSERT INTO things (id, colour) VALUES ('a', 'red')");
    // Another area may use the same ids: the areas' histories are apart.
    const other = await runMigrations(db.pool, 'others', [{ id: '0001-create', sql: 'CREATE TABLE others (id INT);' }]);
    expect(other.applied).toEqual(['0001-create']);
  });

  it('rolls a failing migration back alone and throws, so an instance never starts on half a schema', async () => {
    const migrations = [
      { id: '0001-ok', sql: 'CREATE TABLE ok (id INT);' },
      { id: '0002-broken', sql: 'CREATE TABLE half (id INT); SELECT * FROM no_such_table;' },
    ];
    await expect(runMigrations(db.pool, 'area', migrations)).rejects.toThrow(/area\/0002-broken failed: .*no_such_table/);
    const tables = await db.pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(['ok', 'schema_migrations']);
    const recorded = await db.pool.query('SELECT id FROM schema_migrations');
    expect(recorded.rows).toEqual([{ id: '0001-ok' }]);
  });

  it('lets instances that start together apply each migration exactly once', async () => {
    let n = 0;
    const migrations = Array.from({ length: 5 }, () => {
      n++;
      return { id: `000${n}-step`, sql: n === 1 ? 'CREATE TABLE steps (n INT);' : `INSERT INTO steps VALUES (${n});` };
    });
    const reports = await Promise.all(Array.from({ length: 4 }, () => runMigrations(db.pool, 'steps', migrations)));
    expect(reports.flatMap((r) => r.applied).sort()).toEqual(migrations.map((m) => m.id));
    const rows = await db.pool.query<{ n: number }>('SELECT n FROM steps ORDER BY n');
    expect(rows.rows.map((r) => r.n)).toEqual([2, 3, 4, 5]);
  });
});
