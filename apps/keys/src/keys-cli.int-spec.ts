import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../test/support/domain/manual-clock';
import { parseApiKey } from '@lead-lifecycle/identity/api-key';
import { SqliteApiKeyStore } from '@lead-lifecycle/identity/sqlite-api-key.store';
import { PostgresApiKeyStore } from '@lead-lifecycle/identity/postgres-api-key.store';
import { freshDatabase } from '../../../test/support/postgres/fresh-database';
import { runKeysCli } from './keys-cli';

describe('npm run keys', () => {
  let dataDir: string;
  const clock = new ManualClock('2026-03-01T12:00:00Z');
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runKeysCli(argv, { DATA_DIR: dataDir }, { log: (l) => out.push(l), error: (l) => err.push(l) }, clock);
    return { code, out, err };
  };

  beforeEach(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'keys-cli-')), 'data');
  });
  afterEach(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

  it('creates a key, prints it once (first line), and the store verifies it; the file is 0600', async () => {
    const created = await run('create', '--tenant', 'acme', '--roles', 'admin,rep', '--name', 'ops', '--owner', 'rep-1', '--expires', '2027-01-01T00:00:00Z');
    expect(created.code).toBe(0);
    const key = created.out[0];
    expect(parseApiKey(key)).toBeDefined();
    expect(created.out.slice(1).join('\n')).not.toContain(parseApiKey(key)!.secret);
    expect(statSync(join(dataDir, 'identity.sqlite')).mode & 0o777).toBe(0o600);
    const store = new SqliteApiKeyStore(join(dataDir, 'identity.sqlite'));
    try {
      expect(await store.verify(key, clock.now())).toMatchObject({ ok: true, record: { tenantId: 'acme', roles: ['admin', 'rep'], ownerId: 'rep-1', expiresAt: '2027-01-01T00:00:00.000Z' } });
    } finally {
      store.close();
    }
    // Closed: the WAL has been folded into the database file.
    const files = readdirSync(dataDir).filter((f) => f.startsWith('identity.sqlite')).map((f) => readFileSync(join(dataDir, f)));
    expect(Buffer.concat(files).includes(Buffer.from(parseApiKey(key)!.keyId))).toBe(true);
    expect(Buffer.concat(files).includes(Buffer.from(parseApiKey(key)!.secret))).toBe(false);
  });

  it('lists without secrets, per tenant, and revokes', async () => {
    const a = JSON.parse((await run('create', '--tenant', 'acme', '--roles', 'auditor', '--name', 'audit', '--json')).out[0]);
    await run('create', '--tenant', 'globex', '--roles', 'capture', '--name', 'form');
    const listed = await run('list', '--tenant', 'acme', '--json');
    expect(JSON.parse(listed.out[0])).toEqual([expect.objectContaining({ keyId: a.keyId, tenantId: 'acme' })]);
    expect(listed.out.join('\n')).not.toContain(a.key);
    expect((await run('list')).out).toHaveLength(2);
    expect(await run('revoke', a.keyId)).toMatchObject({ code: 0, out: [`revoked ${a.keyId}`] });
    expect((await run('list', '--tenant', 'acme')).out[0]).toContain('revoked 2026-03-01T12:00:00.000Z');
    expect(await run('revoke', '0000000000000000')).toMatchObject({ code: 1, err: ['no API key 0000000000000000'] });
  });

  it('exits 2 with the problems for an invalid key, a missing option or an unknown command', async () => {
    const invalid = await run('create', '--tenant', 'acme', '--roles', 'rep,root', '--name', 'x');
    expect(invalid.code).toBe(2);
    expect(invalid.err).toEqual([expect.stringMatching(/^roles: unknown role "root"/), expect.stringMatching(/^ownerId: /)]);
    expect((await run('create', '--tenant', 'acme')).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('list', '--colour')).code).toBe(2);
    expect((await run()).code).toBe(2);
    expect((await run('--help')).code).toBe(0);
  });

  it('with DATABASE_URL works on the keys every API instance shares, and writes no file', async () => {
    const db = await freshDatabase();
    try {
      const env = { DATA_DIR: dataDir, DATABASE_URL: db.url };
      const io = { log: (l: string) => out.push(l), error: (l: string) => out.push(l) };
      const out: string[] = [];
      expect(await runKeysCli(['create', '--tenant', 'acme', '--roles', 'auditor', '--name', 'audit', '--json'], env, io, clock)).toBe(0);
      const created = JSON.parse(out[0]) as { key: string; keyId: string };
      const api = await PostgresApiKeyStore.open(db.pool);
      expect(await api.verify(created.key, clock.now())).toMatchObject({ ok: true, record: { keyId: created.keyId, tenantId: 'acme' } });
      expect(await runKeysCli(['revoke', created.keyId], env, io, clock)).toBe(0);
      expect(await api.verify(created.key, clock.now())).toEqual({ ok: false, reason: 'revoked' });
      expect(existsSync(join(dataDir, 'identity.sqlite'))).toBe(false);
    } finally {
      await db.drop();
    }
  });
});
