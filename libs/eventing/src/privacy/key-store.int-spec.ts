import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeKeyStoreContract } from '../../../../test/support/key-store-contract';
import { SqliteKeyStore } from './key-store';

const file = () => join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys.sqlite');

describe('SqliteKeyStore: the KeyStore contract', () => {
  describeKeyStoreContract(() => {
    const path = file();
    return {
      open: () => Promise.resolve(new SqliteKeyStore(path)),
      cleanup: () => Promise.resolve(rmSync(join(path, '..'), { recursive: true, force: true })),
    };
  });
});

describe('SqliteKeyStore.prepareKeys', () => {
  it('creates the missing keys of every caller of the same moment in one transaction, durably', async () => {
    const path = file();
    const keys = new SqliteKeyStore(path);
    const existing = await keys.currentKey('lead-0');
    const transactions = jest.spyOn(Database.prototype, 'transaction');
    try {
      await Promise.all([keys.prepareKeys(['lead-1', 'lead-2']), keys.prepareKeys(['lead-2', 'lead-3']), keys.prepareKeys(['lead-0'])]);
      // one transaction for the three new keys (each on its own would take one, and one fsync, apiece)
      expect(transactions).toHaveBeenCalledTimes(1);
      transactions.mockClear();
      // answered from memory now: no further write
      const k1 = await keys.currentKey('lead-1');
      expect(await keys.currentKey('lead-0')).toEqual(existing);
      expect(transactions).not.toHaveBeenCalled();
      // durable: another store on the file sees the same keys
      const reopened = new SqliteKeyStore(path);
      expect((await reopened.currentKey('lead-1')).key.equals(k1.key)).toBe(true);
      expect(await reopened.key('lead-3', 1)).toBeDefined();
      reopened.close();
    } finally {
      transactions.mockRestore();
      keys.close();
    }
  });

  it('asks nothing of the database for subjects whose keys it holds', async () => {
    const keys = new SqliteKeyStore(file());
    await keys.currentKey('lead-1');
    const transactions = jest.spyOn(Database.prototype, 'transaction');
    try {
      await keys.prepareKeys(['lead-1']);
      expect(transactions).not.toHaveBeenCalled();
    } finally {
      transactions.mockRestore();
      keys.close();
    }
  });

  it('a second batch after the first completes makes a new transaction, and a destroyed key is replaced by a new version', async () => {
    const keys = new SqliteKeyStore(file());
    await keys.prepareKeys(['lead-1']);
    await keys.destroy('lead-1');
    await keys.prepareKeys(['lead-1']);
    expect((await keys.currentKey('lead-1')).version).toBe(2);
    expect(await keys.key('lead-1', 1)).toBeUndefined();
    keys.close();
  });
});

describe('SqliteKeyStore with another connection on the file (the processor worker)', () => {
  it('never serves from memory a key another connection destroyed', async () => {
    const path = file();
    const api = new SqliteKeyStore(path);
    const worker = new SqliteKeyStore(path);
    try {
      const key = await api.currentKey('lead-1');
      // The worker reads (and holds) the key, as its relay does when it decrypts the lead's capture.
      expect((await worker.key('lead-1', key.version))?.key.equals(key.key)).toBe(true);
      expect((await worker.currentKey('lead-1')).version).toBe(key.version);
      await api.destroy('lead-1');
      expect(await worker.key('lead-1', key.version)).toBeUndefined();
      expect(await worker.isErased('lead-1')).toBe(true);
      // A new current key after the erasure, not the destroyed one.
      expect((await worker.currentKey('lead-1')).version).toBe(key.version + 1);
    } finally {
      api.close();
      worker.close();
      rmSync(join(path, '..'), { recursive: true, force: true });
    }
  });

  it('still answers from memory while nobody else writes', async () => {
    const path = file();
    const keys = new SqliteKeyStore(path);
    try {
      const key = await keys.currentKey('lead-2');
      await keys.key('lead-2', key.version);
      const reads = jest.spyOn(Database.prototype, 'prepare');
      expect((await keys.key('lead-2', key.version))?.key.equals(key.key)).toBe(true);
      expect(reads).not.toHaveBeenCalled();
      reads.mockRestore();
    } finally {
      keys.close();
      rmSync(join(path, '..'), { recursive: true, force: true });
    }
  });
});
