import { InvalidCommandError } from '@lead-lifecycle/domain';
import { ManualClock } from '../../../test/support/domain/manual-clock';
import Database from 'better-sqlite3';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseApiKey } from './api-key';
import { SqliteApiKeyStore } from './sqlite-api-key.store';

const mode = (path: string) => statSync(path).mode & 0o777;

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

  it('creates a key that verifies, and returns the key itself only from create', () => {
    const created = store.create({ tenantId: 'acme', roles: ['rep'], name: 'rep seven', ownerId: 'rep-7' }, clock.now());
    expect(created).toMatchObject({ tenantId: 'acme', roles: ['rep'], name: 'rep seven', ownerId: 'rep-7', createdAt: '2026-03-01T12:00:00.000Z' });
    const verification = store.verify(created.key, clock.now());
    expect(verification).toEqual({ ok: true, record: expect.objectContaining({ keyId: created.keyId, tenantId: 'acme', lastUsedAt: '2026-03-01T12:00:00.000Z' }) });
    const listed = store.list();
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(parseApiKey(created.key)!.secret);
    expect(Object.keys(listed[0])).not.toContain('key');
  });

  it('keeps only a hash on disk: the secret is in none of the files, which are 0600 in a 0700 folder', () => {
    const created = store.create({ tenantId: 'acme', roles: ['admin'], name: 'admin' }, clock.now());
    store.verify(created.key, clock.now());
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

  it('narrows a database file and folder created too open by an earlier version', () => {
    store.close();
    chmodSync(file, 0o644);
    chmodSync(dir, 0o755);
    store = new SqliteApiKeyStore(file);
    expect(mode(file)).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
  });

  it('refuses a key after its expiry', () => {
    const created = store.create({ tenantId: 'acme', roles: ['auditor'], name: 'temp', expiresAt: '2026-03-01T13:00:00+00:00' }, clock.now());
    expect(created.expiresAt).toBe('2026-03-01T13:00:00.000Z');
    clock.set('2026-03-01T12:59:59.999Z');
    expect(store.verify(created.key, clock.now()).ok).toBe(true);
    clock.set('2026-03-01T13:00:00Z');
    expect(store.verify(created.key, clock.now())).toEqual({ ok: false, reason: 'expired' });
  });

  it('revokes at once, also for another connection to the same file (the CLI while the API runs)', () => {
    const created = store.create({ tenantId: 'acme', roles: ['admin'], name: 'admin' }, clock.now());
    const api = new SqliteApiKeyStore(file);
    try {
      expect(api.verify(created.key, clock.now()).ok).toBe(true);
      expect(store.revoke(created.keyId, clock.now())).toBe(true);
      expect(api.verify(created.key, clock.now())).toEqual({ ok: false, reason: 'revoked' });
      clock.advance(1000);
      expect(store.revoke(created.keyId, clock.now())).toBe(true);
      expect(api.get(created.keyId)?.revokedAt).toBe('2026-03-01T12:00:00.000Z');
      expect(store.revoke('0000000000000000', clock.now())).toBe(false);
    } finally {
      api.close();
    }
  });

  it('tells unknown keys from wrong secrets by nothing but the reason "unknown"', () => {
    const created = store.create({ tenantId: 'acme', roles: ['admin'], name: 'admin' }, clock.now());
    const { keyId, secret } = parseApiKey(created.key)!;
    const wrong = `llk_${keyId}_${secret.startsWith('A') ? 'B' : 'A'}${secret.slice(1)}`;
    expect(store.verify(wrong, clock.now())).toEqual({ ok: false, reason: 'unknown' });
    expect(store.verify(`llk_${'f'.repeat(16)}_${secret}`, clock.now())).toEqual({ ok: false, reason: 'unknown' });
    expect(store.verify('llk_nonsense', clock.now())).toEqual({ ok: false, reason: 'malformed' });
  });

  it('records the last use at most once a minute per key, durably', () => {
    const created = store.create({ tenantId: 'acme', roles: ['admin'], name: 'admin' }, clock.now());
    store.verify(created.key, clock.now());
    clock.advance(30_000);
    store.verify(created.key, clock.now());
    expect(store.get(created.keyId)?.lastUsedAt).toBe('2026-03-01T12:00:00.000Z');
    clock.advance(31_000);
    store.verify(created.key, clock.now());
    expect(store.get(created.keyId)?.lastUsedAt).toBe('2026-03-01T12:01:01.000Z');
    store.close();
    store = new SqliteApiKeyStore(file);
    expect(store.get(created.keyId)?.lastUsedAt).toBe('2026-03-01T12:01:01.000Z');
    clock.advance(10_000);
    store.verify(created.key, clock.now());
    expect(store.get(created.keyId)?.lastUsedAt).toBe('2026-03-01T12:01:01.000Z');
  });

  it('lists the keys of one tenant or all, oldest first', () => {
    const a = store.create({ tenantId: 'acme', roles: ['admin'], name: 'one' }, clock.now());
    clock.advance(1);
    const b = store.create({ tenantId: 'globex', roles: ['auditor'], name: 'two' }, clock.now());
    clock.advance(1);
    const c = store.create({ tenantId: 'acme', roles: ['capture'], name: 'three' }, clock.now());
    expect(store.list().map((k) => k.keyId)).toEqual([a.keyId, b.keyId, c.keyId]);
    expect(store.list('acme').map((k) => k.keyId)).toEqual([a.keyId, c.keyId]);
    expect(store.list('nobody')).toEqual([]);
  });

  it('refuses an invalid request with every problem and stores nothing', () => {
    let error: unknown;
    try {
      store.create({ tenantId: 'bad tenant', roles: ['rep', 'root'], name: '', expiresAt: '2020-01-01T00:00:00Z' }, clock.now());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidCommandError);
    expect((error as InvalidCommandError).problems.map((p) => p.field)).toEqual(['tenantId', 'roles', 'name', 'ownerId', 'expiresAt']);
    expect(store.list()).toEqual([]);
  });

  it('ignores a stored role that no longer exists instead of failing', () => {
    const created = store.create({ tenantId: 'acme', roles: ['auditor'], name: 'old' }, clock.now());
    store.close();
    const db = new Database(file);
    db.prepare('UPDATE api_keys SET roles = ? WHERE key_id = ?').run(JSON.stringify(['auditor', 'retired_role']), created.keyId);
    db.close();
    store = new SqliteApiKeyStore(file);
    expect(store.get(created.keyId)?.roles).toEqual(['auditor']);
  });
});
