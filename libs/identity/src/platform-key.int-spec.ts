import { ManualClock } from '../../../test/support/domain/manual-clock';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePlatformKey, firstStartMessage, PlatformKey } from './platform-key';
import { SqliteApiKeyStore } from './sqlite-api-key.store';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('the platform key', () => {
  let root: string;
  let dataDir: string;
  let store: SqliteApiKeyStore;
  const now = new ManualClock('2026-03-01T12:00:00Z').now();

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'identity-platform-'));
    dataDir = join(root, 'data');
    store = new SqliteApiKeyStore(join(dataDir, 'identity.sqlite'));
  });
  afterEach(() => {
    store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('first start: generates it, writes it 0600 in a 0700 folder, and creates the default tenant\'s admin key, both to print once', async () => {
    const setup = await ensurePlatformKey({ dataDir, store, now });
    expect(setup.source).toBe('generated');
    const first = setup.firstStart!;
    expect(first.platformKey).toMatch(/^llp_[A-Za-z0-9_-]{43}$/);
    const file = join(dataDir, 'admin-api-key');
    expect(readFileSync(file, 'utf8')).toBe(`${first.platformKey}\n`);
    expect(mode(file)).toBe(0o600);
    expect(mode(dataDir)).toBe(0o700);
    expect(setup.platformKey.matches(first.platformKey)).toBe(true);
    expect(first.defaultAdminKey).toMatchObject({ tenantId: 'default', roles: ['admin'] });
    expect(await store.verify(first.defaultAdminKey.key, now)).toMatchObject({ ok: true, record: { tenantId: 'default', roles: ['admin'] } });
    const message = firstStartMessage(setup, 'http://localhost:3000').join('\n');
    expect(message).toContain(first.platformKey);
    expect(message).toContain(first.defaultAdminKey.key);
    expect(message).toContain(file);
  });

  it('second start: reads the same key from the file, prints nothing, creates no other admin key', async () => {
    const first = await ensurePlatformKey({ dataDir, store, now });
    const second = await ensurePlatformKey({ dataDir, store, now });
    expect(second.source).toBe('file');
    expect(second.firstStart).toBeUndefined();
    expect(firstStartMessage(second)).toEqual([]);
    expect(second.platformKey.matches(first.firstStart!.platformKey)).toBe(true);
    expect(await store.list('default')).toHaveLength(1);
  });

  it('ADMIN_API_KEY wins: no file is written and no admin key is created', async () => {
    const setup = await ensurePlatformKey({ dataDir, store, now, adminApiKey: 'k'.repeat(40) });
    expect(setup.source).toBe('environment');
    expect(setup.firstStart).toBeUndefined();
    expect(setup.platformKey.matches('k'.repeat(40))).toBe(true);
    expect(existsSync(join(dataDir, 'admin-api-key'))).toBe(false);
    expect(await store.list()).toEqual([]);
  });

  it('refuses a file that holds no key rather than generating over it', async () => {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'admin-api-key'), '\n');
    await expect(ensurePlatformKey({ dataDir, store, now })).rejects.toThrow(/does not hold a platform key/);
  });

  it('matches only the exact key', async () => {
    const key = new PlatformKey('s'.repeat(32));
    expect(key.matches('s'.repeat(32))).toBe(true);
    expect(key.matches('s'.repeat(31))).toBe(false);
    expect(key.matches('s'.repeat(33))).toBe(false);
    expect(key.matches('')).toBe(false);
    expect(() => new PlatformKey('short')).toThrow(/at least 32/);
  });
});
