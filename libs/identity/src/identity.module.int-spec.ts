import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ForgottenController, ForgottenGuardedController, type IdentityTestApp, probeCalls, ProbeController, startIdentityTestApp } from '../../../test/support/identity-test-app';
import { type JwksTestServer, startJwksTestServer } from '../../../test/support/jwks-test-server';

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

describe('IdentityModule in a Nest application', () => {
  let dataDir: string;
  let t: IdentityTestApp;
  let platformKey: string;
  let adminKey: string;

  const createKey = async (body: Record<string, unknown>): Promise<{ key: string; keyId: string }> => {
    const res = await t.http.post('/v1/admin/api-keys').set(bearer(platformKey)).send(body).expect(201);
    return res.body;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'identity-module-'));
    t = await startIdentityTestApp({ dataDir, env: { RATE_LIMIT_PER_MINUTE: '50', RATE_LIMIT_CAPTURE_PER_MINUTE: '2', CORS_ORIGINS: 'https://app.example.com' } });
    platformKey = /llp_[A-Za-z0-9_-]{43}/.exec(t.announced.join('\n'))![0];
    adminKey = /llk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/.exec(t.announced.join('\n'))![0];
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    probeCalls.count = 0;
  });

  it('the first start announced the platform key and a working admin key of the default tenant', async () => {
    const res = await t.http.get('/probe/leads').set(bearer(adminKey)).expect(200);
    expect(res.body.principal).toMatchObject({ tenantId: 'default', roles: ['admin'], kind: 'api-key' });
  });

  it('401 with WWW-Authenticate: Bearer and the one error shape, before the handler runs', async () => {
    const res = await t.http.get('/probe/leads').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body).toEqual({ statusCode: 401, error: 'UNAUTHORIZED', code: 'UNAUTHENTICATED', message: expect.any(String), reason: 'missing' });
    const unknown = await t.http.get('/probe/leads').set(bearer(`llk_${'0'.repeat(16)}_${'A'.repeat(43)}`)).expect(401);
    expect(unknown.headers['www-authenticate']).toContain('invalid_token');
    expect(probeCalls.count).toBe(0);
  });

  it('manages keys with the platform key: create (key shown once), list without secrets, revoke at once', async () => {
    const created = await t.http
      .post('/v1/admin/api-keys')
      .set(bearer(platformKey))
      .send({ tenantId: 'acme', roles: ['rep'], name: 'rep seven', ownerId: 'rep-7' })
      .expect(201);
    expect(created.body).toMatchObject({ tenantId: 'acme', roles: ['rep'], name: 'rep seven', ownerId: 'rep-7', expiresAt: null, key: expect.stringMatching(/^llk_/) });
    const listed = await t.http.get('/v1/admin/api-keys').query({ tenantId: 'acme' }).set(bearer(platformKey)).expect(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ keyId: created.body.keyId, lastUsedAt: null })]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

    const read = await t.http.get('/probe/leads').set(bearer(created.body.key)).expect(200);
    expect(read.body.principal).toEqual({ tenantId: 'acme', roles: ['rep'], actor: `apikey:${created.body.keyId}`, actorName: 'rep seven', ownerId: 'rep-7', kind: 'api-key' });

    await t.http.delete(`/v1/admin/api-keys/${created.body.keyId}`).set(bearer(platformKey)).expect(204);
    const refused = await t.http.get('/probe/leads').set(bearer(created.body.key)).expect(401);
    expect(refused.body.reason).toBe('revoked');
    const missing = await t.http.delete('/v1/admin/api-keys/0000000000000000').set(bearer(platformKey)).expect(404);
    expect(missing.body).toMatchObject({ statusCode: 404, code: 'API_KEY_NOT_FOUND' });
  });

  it('400 with every problem for an invalid key request; unknown fields refused', async () => {
    const res = await t.http.post('/v1/admin/api-keys').set(bearer(platformKey)).send({ tenantId: 'no spaces', roles: ['root'], name: 'x' }).expect(400);
    expect(res.body.problems.map((p: { field: string }) => p.field)).toEqual(['tenantId', 'roles']);
    await t.http.post('/v1/admin/api-keys').set(bearer(platformKey)).send({ tenantId: 'acme', roles: ['admin'], name: 'x', admin: true }).expect(400);
  });

  it('the platform key manages keys and reads nothing; tenant keys cannot manage keys', async () => {
    const res = await t.http.get('/probe/leads').set(bearer(platformKey)).expect(403);
    expect(res.body).toMatchObject({ statusCode: 403, error: 'FORBIDDEN', code: 'FORBIDDEN' });
    await t.http.get('/v1/admin/api-keys').set(bearer(adminKey)).expect(403);
  });

  it('403 when the roles do not grant the route, 200 when they do', async () => {
    const auditor = await createKey({ tenantId: 'acme', roles: ['auditor'], name: 'audit' });
    await t.http.post('/probe/leads').set(bearer(auditor.key)).expect(403);
    await t.http.get('/probe/leads').set(bearer(auditor.key)).expect(200);
    expect(probeCalls.count).toBe(1);
  });

  it('403 TENANT_MISMATCH for an X-Tenant-Id of another tenant', async () => {
    const res = await t.http.get('/probe/leads').set(bearer(adminKey)).set('X-Tenant-Id', 'acme').expect(403);
    expect(res.body.code).toBe('TENANT_MISMATCH');
    await t.http.get('/probe/leads').set(bearer(adminKey)).set('X-Tenant-Id', 'default').expect(200);
  });

  it('a public route answers without a credential, still verifies one that is sent', async () => {
    expect((await t.http.get('/probe/open').expect(200)).body).toEqual({ principal: null });
    await t.http.get('/probe/open').set(bearer('llk_garbage')).expect(401);
    expect((await t.http.get('/probe/open').set(bearer(adminKey)).expect(200)).body.principal.tenantId).toBe('default');
  });

  it('rate-limits per credential: the capture role gets its low limit, 429 with Retry-After; other credentials are unaffected', async () => {
    const capture = await createKey({ tenantId: 'acme', roles: ['capture'], name: 'web form' });
    await t.http.post('/probe/leads').set(bearer(capture.key)).expect(201);
    await t.http.post('/probe/leads').set(bearer(capture.key)).expect(201);
    const limited = await t.http.post('/probe/leads').set(bearer(capture.key)).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'TOO_MANY_REQUESTS', code: 'RATE_LIMITED' });
    expect(probeCalls.count).toBe(2);
    // The limit is per credential, not per route: the same key is refused elsewhere too; another key is not.
    await t.http.get('/probe/open').set(bearer(capture.key)).expect(429);
    await t.http.post('/probe/leads').set(bearer(adminKey)).expect(201);
  });

  it('sends security headers, no X-Powered-By, and CORS for the listed origins only', async () => {
    const res = await t.http.get('/probe/open').expect(200);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    const allowed = await t.http.options('/probe/leads').set('Origin', 'https://app.example.com').set('Access-Control-Request-Method', 'GET');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const other = await t.http.options('/probe/leads').set('Origin', 'https://evil.example.com').set('Access-Control-Request-Method', 'GET');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('a second start on the same data folder announces nothing and keeps the platform key', async () => {
    const again = await startIdentityTestApp({ dataDir });
    try {
      expect(again.announced).toEqual([]);
      await again.http.get('/v1/admin/api-keys').set(bearer(platformKey)).expect(200);
    } finally {
      await again.close();
    }
  });
});

describe('IdentityModule: secure by default', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'identity-default-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses to start with a route that declares no access rule', async () => {
    await expect(startIdentityTestApp({ dataDir, controllers: [ProbeController, ForgottenController] })).rejects.toThrow(/ForgottenController\.forgotten \(GET forgotten\/\/?\)/);
  });

  it('the guard refuses such a route at request time too, when applied without the start-up check', async () => {
    const t = await startIdentityTestApp({ dataDir, controllers: [ForgottenGuardedController], module: { globalGuard: false } });
    try {
      probeCalls.count = 0;
      const admin = /llk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/.exec(t.announced.join('\n'))![0];
      const res = await t.http.get('/forgotten-guarded').set(bearer(admin)).expect(403);
      expect(res.body.message).toContain('declares no access rule');
      expect(probeCalls.count).toBe(0);
      expect((await t.http.get('/forgotten-guarded').set(bearer(admin))).headers['x-ratelimit-limit']).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('CORS stays closed without CORS_ORIGINS', async () => {
    const t = await startIdentityTestApp({ dataDir });
    try {
      const res = await t.http.options('/probe/leads').set('Origin', 'https://app.example.com').set('Access-Control-Request-Method', 'GET');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});

describe('IdentityModule with JWTs and with a host resolver', () => {
  let dataDir: string;
  let idp: JwksTestServer;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'identity-jwt-'));
    idp = await startJwksTestServer();
  });
  afterAll(async () => {
    await idp.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('accepts a JWT of the configured provider, verified at the injected time', async () => {
    const t = await startIdentityTestApp({ dataDir, env: { AUTH_JWKS_URL: idp.jwksUrl, AUTH_ISSUER: idp.issuer, AUTH_AUDIENCE: idp.audience } });
    try {
      const at = Math.floor(t.clock.now().getTime() / 1000);
      const token = await idp.sign({ sub: 'rep-9', tenant_id: 'acme', roles: ['rep'], exp: at + 300 }, { alg: 'ES256' });
      const res = await t.http.get('/probe/leads').set(bearer(token)).expect(200);
      expect(res.body.principal).toEqual({ tenantId: 'acme', roles: ['rep'], actor: `jwt:${idp.issuer}#rep-9`, ownerId: 'rep-9', kind: 'jwt' });
      t.clock.advance(3600_000);
      expect((await t.http.get('/probe/leads').set(bearer(token)).expect(401)).body.reason).toBe('expired');
    } finally {
      await t.close();
    }
  });

  it('uses the host\'s resolver instead of keys: same guard, same role table, no first-start keys', async () => {
    const t = await startIdentityTestApp({
      dataDir: join(dataDir, 'host'),
      controllers: [ProbeController],
      module: {
        resolver: async (headers) =>
          typeof headers['x-host-user'] === 'string' ? { tenantId: 'acme', roles: ['auditor'], actor: `host:${headers['x-host-user']}`, kind: 'host' } : undefined,
      },
    });
    try {
      expect(t.announced).toEqual([]);
      expect((await t.http.get('/probe/leads').set('X-Host-User', 'u1').expect(200)).body.principal.actor).toBe('host:u1');
      await t.http.post('/probe/leads').set('X-Host-User', 'u1').expect(403);
      await t.http.get('/probe/leads').expect(401);
    } finally {
      await t.close();
    }
  });
});
