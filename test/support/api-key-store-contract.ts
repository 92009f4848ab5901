import { InvalidCommandError } from '@lead-lifecycle/domain';
import { type ApiKeyStore, parseApiKey } from '@lead-lifecycle/identity';
import { ManualClock } from './domain/manual-clock';

/**
 * Opens API key stores for the contract: `open` a store on fresh storage (the same storage for every
 * call of one test: a second call is another instance on it, as the CLI or another API instance is).
 */
export interface ApiKeyStoreHarness {
  open(): Promise<ApiKeyStore>;
  cleanup?(): Promise<void>;
}

/** The behaviour every ApiKeyStore adapter shares (SqliteApiKeyStore, PostgresApiKeyStore). */
export function describeApiKeyStoreContract(harness: () => ApiKeyStoreHarness): void {
  let h: ApiKeyStoreHarness;
  let store: ApiKeyStore;
  const opened: ApiKeyStore[] = [];
  const clock = new ManualClock('2026-03-01T12:00:00Z');
  const open = async () => {
    const s = await h.open();
    opened.push(s);
    return s;
  };
  beforeEach(async () => {
    h = harness();
    clock.set('2026-03-01T12:00:00Z');
    store = await open();
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    await h.cleanup?.();
  });

  it('creates a key that verifies, and returns the key itself only from create', async () => {
    const created = await store.create({ tenantId: 'acme', roles: ['rep'], name: 'rep seven', ownerId: 'rep-7' }, clock.now());
    expect(created).toMatchObject({ tenantId: 'acme', roles: ['rep'], name: 'rep seven', ownerId: 'rep-7', createdAt: '2026-03-01T12:00:00.000Z' });
    const verification = await store.verify(created.key, clock.now());
    expect(verification).toEqual({ ok: true, record: expect.objectContaining({ keyId: created.keyId, tenantId: 'acme', lastUsedAt: '2026-03-01T12:00:00.000Z' }) });
    const listed = await store.list();
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(parseApiKey(created.key)!.secret);
    expect(Object.keys(listed[0])).not.toContain('key');
    expect(await store.get(created.keyId)).toEqual(expect.objectContaining({ keyId: created.keyId, name: 'rep seven' }));
    expect(await store.get('0000000000000000')).toBeUndefined();
  });

  it('refuses a key after its expiry', async () => {
    const created = await store.create({ tenantId: 'acme', roles: ['auditor'], name: 'temp', expiresAt: '2026-03-01T13:00:00+00:00' }, clock.now());
    expect(created.expiresAt).toBe('2026-03-01T13:00:00.000Z');
    clock.set('2026-03-01T12:59:59.999Z');
    expect((await store.verify(created.key, clock.now())).ok).toBe(true);
    clock.set('2026-03-01T13:00:00Z');
    expect(await store.verify(created.key, clock.now())).toEqual({ ok: false, reason: 'expired' });
  });

  it('revokes at once, also for another instance on the same storage (the CLI while the API runs, or another API)', async () => {
    const created = await store.create({ tenantId: 'acme', roles: ['admin'], name: 'admin' }, clock.now());
    const api = await open();
    expect((await api.verify(created.key, clock.now())).ok).toBe(true);
    expect(await store.revoke(created.keyId, clock.now())).toBe(true);
    expect(await api.verify(created.key, clock.now())).toEqual({ ok: false, reason: 'revoked' });
    clock.advance(1000);
    expect(await store.revoke(created.keyId, clock.now())).toBe(true);
    expect((await api.get(created.keyId))?.revokedAt).toBe('2026-03-01T12:00:00.000Z');
    expect(await store.revoke('0000000000000000', clock.now())).toBe(false);
  });

  it('tells unknown keys from wrong secrets by nothing but the reason "unknown"', async () => {
    const created = await store.create({ tenantId: 'acme', roles: ['admin'], name: 'admin' }, clock.now());
    const { keyId, secret } = parseApiKey(created.key)!;
    const wrong = `llk_${keyId}_${secret.startsWith('A') ? 'B' : 'A'}${secret.slice(1)}`;
    expect(await store.verify(wrong, clock.now())).toEqual({ ok: false, reason: 'unknown' });
    expect(await store.verify(`llk_${'f'.repeat(16)}_${secret}`, clock.now())).toEqual({ ok: false, reason: 'unknown' });
    expect(await store.verify('llk_nonsense', clock.now())).toEqual({ ok: false, reason: 'malformed' });
    // A wrong secret is no use: it records none.
    expect((await store.get(keyId))?.lastUsedAt).toBeUndefined();
  });

  it('records the last use at most once a minute per key, durably', async () => {
    const created = await store.create({ tenantId: 'acme', roles: ['admin'], name: 'admin' }, clock.now());
    await store.verify(created.key, clock.now());
    clock.advance(30_000);
    await store.verify(created.key, clock.now());
    expect((await store.get(created.keyId))?.lastUsedAt).toBe('2026-03-01T12:00:00.000Z');
    clock.advance(31_000);
    await store.verify(created.key, clock.now());
    expect((await store.get(created.keyId))?.lastUsedAt).toBe('2026-03-01T12:01:01.000Z');
    const again = await open();
    expect((await again.get(created.keyId))?.lastUsedAt).toBe('2026-03-01T12:01:01.000Z');
    clock.advance(10_000);
    await again.verify(created.key, clock.now());
    expect((await again.get(created.keyId))?.lastUsedAt).toBe('2026-03-01T12:01:01.000Z');
  });

  it('lists the keys of one tenant or all, oldest first', async () => {
    const a = await store.create({ tenantId: 'acme', roles: ['admin'], name: 'one' }, clock.now());
    clock.advance(1);
    const b = await store.create({ tenantId: 'globex', roles: ['auditor'], name: 'two' }, clock.now());
    clock.advance(1);
    const c = await store.create({ tenantId: 'acme', roles: ['capture'], name: 'three' }, clock.now());
    expect((await store.list()).map((k) => k.keyId)).toEqual([a.keyId, b.keyId, c.keyId]);
    expect((await store.list('acme')).map((k) => k.keyId)).toEqual([a.keyId, c.keyId]);
    expect(await store.list('nobody')).toEqual([]);
  });

  it('refuses an invalid request with every problem and stores nothing', async () => {
    const error = await store
      .create({ tenantId: 'bad tenant', roles: ['rep', 'root'], name: '', expiresAt: '2020-01-01T00:00:00Z' }, clock.now())
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCommandError);
    expect((error as InvalidCommandError).problems.map((p) => p.field)).toEqual(['tenantId', 'roles', 'name', 'ownerId', 'expiresAt']);
    expect(await store.list()).toEqual([]);
  });
}
