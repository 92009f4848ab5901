import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type GlobalPosition, positionToString, SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import { adoptLegacyPositions } from './legacy-position.migration';

const at = (n: number): GlobalPosition => ({ commit: BigInt(n), prepare: BigInt(n) });

describe('adoptLegacyPositions', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'legacy-position-'));
    file = join(dir, 'state.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const oldFile = (rows: Array<[string, GlobalPosition]>) => {
    const db = new Database(file);
    db.exec('CREATE TABLE sla_position (name TEXT PRIMARY KEY, position TEXT NOT NULL)');
    for (const [name, position] of rows) db.prepare('INSERT INTO sla_position (name, position) VALUES (?, ?)').run(name, positionToString(position));
    db.close();
  };
  const tableExists = (checkpoints: SqliteCheckpointStore) =>
    checkpoints.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sla_position'`).get() !== undefined;

  it('moves every old position into the checkpoints table and drops the old table', () => {
    oldFile([
      ['reaction:sla', at(42)],
      ['reaction:other', at(7)],
    ]);
    const checkpoints = new SqliteCheckpointStore(file);
    try {
      adoptLegacyPositions(checkpoints, 'sla_position');
      expect(checkpoints.load('reaction:sla')).toEqual(at(42));
      expect(checkpoints.load('reaction:other')).toEqual(at(7));
      expect(tableExists(checkpoints)).toBe(false);
    } finally {
      checkpoints.close();
    }
  });

  it('keeps a checkpoint row already there (newer than the old position) and still drops the old table', () => {
    oldFile([['reaction:sla', at(42)]]);
    const checkpoints = new SqliteCheckpointStore(file);
    try {
      checkpoints.save('reaction:sla', at(99));
      adoptLegacyPositions(checkpoints, 'sla_position');
      expect(checkpoints.load('reaction:sla')).toEqual(at(99));
      expect(tableExists(checkpoints)).toBe(false);
    } finally {
      checkpoints.close();
    }
  });

  it('does nothing on a file without the old table, and a second open changes nothing', () => {
    const checkpoints = new SqliteCheckpointStore(file);
    try {
      adoptLegacyPositions(checkpoints, 'sla_position');
      expect(checkpoints.load('reaction:sla')).toBeUndefined();
      checkpoints.save('reaction:sla', at(5));
      adoptLegacyPositions(checkpoints, 'sla_position');
      expect(checkpoints.load('reaction:sla')).toEqual(at(5));
    } finally {
      checkpoints.close();
    }
  });
});
