import { ManualClock } from '../../../test/support/domain/manual-clock';
import { describeApiKeyStoreContract } from '../../../test/support/api-key-store-contract';
import Database from 'better-sqlite3';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseApiKey } from './api-key';
import { SqliteApiKeyStore } from './sqlite-api-key.store';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('SqliteApiKeyStore: the ApiKeyStore contract', () => {
  describeApiKeyStoreContract(() => {
    const root = mkdtempSync(join(tmpdir(), 'identity-store-'));
    const file = join(root, 'data', 'identity.sqlite');
    return {
      open: () => Promise.resolve(new SqliteApiKeyStore(file)),
      cleanup: () => Promise.resolve(rmSync(root, { recursive: true, force: true })),
    };
  });
});

describe('SqliteApiKeyStore', () => {
  let dir: string;
  let file: string;
  let store: SqliteApiKeyStore;
  const clock = new ManualClock('2026-03-01T12:00:00Z');

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'identity-store-')), 'data');
    file = join(dir, 'identity.sqlite');
    store = new SqliteApiKeyStore(file);
    clock.set('2026-03-01T12:00:00Z');
  });
  afterEach(() => {
    store.close();
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('keeps only a hash on disk: the secret is in none of the files, which are 0600 in a 0700 folder', async () => {
    const created = await store.create({ tenantId: 'acme', roles: ['admin'], name: 'admin' }, clock.now());
    await store.verify(created.key, clock.now());
    const secret = parseApiKey(created.key)!.secret;
    const files = readdirSync(dir).filter((f) => f.startsWith('identity.sqlite'));
    expect(files).toEqual(expect.arrayContaining(['identity.sqlite', 'identity.sqlite-wal']));
    for (const f of files) {
      const bytes = readFileSync(join(dir, f));
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
      expect(bytes.includes(Buffer.from(created.key))).toBe(false);
      expect(mode(join(dir, f))).toBe(0o600);
    }
    expect(mode(dir)).toBe(0o700);
    // The key id is stored in clear (it finds the row): the search above does look where the rows are.
    expect(Buffer.concat(files.map((f) => readFileSync(join(dir, f)))).includes(Buffer.from(created.keyId))).toBe(true);
  });

  it('narrows a database file and folder created too open by an earlier version', async () => {
    store.close();
    chmodSync(file, 0o644);
    chmodSync(dir, 0o755);
    store = new SqliteApiKeyStore(file);
    expect(mode(file)).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
  });

  it('ignores a stored role that no longer exists instead of failing', async () => {
    const created = await store.create({ tenantId: 'acme', roles: ['auditor'], name: 'old' }, clock.now());
    store.close();
    const db = new Database(file);
    db.prepare('UPDATE api_keys SET roles = ? WHERE key_id = ?').run(JSON.stringify(['auditor', 'retired_role']), created.keyId);
    db.close();
    store = new SqliteApiKeyStore(file);
    expect((await store.get(created.keyId))?.roles).toEqual(['auditor']);
  });
});
