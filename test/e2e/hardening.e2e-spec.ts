import { statSync } from 'node:fs';
import { join } from 'node:path';
import { removeDataDir, startTestApp, type TestApp } from '../support/test-app';

/** What a caller without credentials learns, the HTTP hardening, the rate limit and the data folder's modes. */
describe('hardening', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('says only whether the service is up to a caller without credentials, and the head to one that may see it', async () => {
    const open = await t.anonymous.get('/health').expect(200);
    expect(open.body).toEqual({ status: 'ok' });
    const auditor = await t.createKey({ tenantId: 'default', roles: ['auditor'], name: 'ops' });
    const seen = await t.anonymous.get('/health').set('Authorization', `Bearer ${auditor.key}`).expect(200);
    expect(seen.body).toEqual({ status: 'ok', eventStore: 'sqlite', headPosition: expect.stringMatching(/^-?\d+$/) });
    const rep = await t.createKey({ tenantId: 'default', roles: ['rep'], name: 'rep', ownerId: 'rep-1' });
    expect((await t.anonymous.get('/health').set('Authorization', `Bearer ${rep.key}`).expect(200)).body).toEqual({ status: 'ok' });
    await t.anonymous.get('/v1/projections').set('Authorization', `Bearer ${rep.key}`).expect(403);
  });

  it('sends security headers, no X-Powered-By, and no CORS permission unless CORS_ORIGINS lists the origin', async () => {
    const res = await t.anonymous.get('/health').set('Origin', 'https://evil.test');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const refused = await t.anonymous.get('/v1/leads').expect(401);
    expect(refused.headers['x-powered-by']).toBeUndefined();
    expect(refused.headers['www-authenticate']).toBe('Bearer');
  });

  it('limits each credential on its own: 429 RATE_LIMITED with Retry-After, another credential unaffected', async () => {
    const a = await t.createKey({ tenantId: 'default', roles: ['auditor'], name: 'a' });
    const b = await t.createKey({ tenantId: 'default', roles: ['auditor'], name: 'b' });
    const statuses: number[] = [];
    let limited: { headers: Record<string, string>; body: Record<string, unknown> } | undefined;
    for (let i = 0; i < 7; i++) {
      const res = await t.anonymous.get('/v1/kpis').set('Authorization', `Bearer ${a.key}`);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(limited!.body).toMatchObject({ statusCode: 429, error: 'TOO_MANY_REQUESTS', code: 'RATE_LIMITED' });
    expect(limited!.headers['retry-after']).toMatch(/^\d+$/);
    await t.anonymous.get('/v1/kpis').set('Authorization', `Bearer ${b.key}`).expect(200);
  });

  it('keeps the data folder 0700 and every file in it 0600', () => {
    expect(statSync(t.dataDir).mode & 0o777).toBe(0o700);
    for (const file of ['events.sqlite', 'keys.sqlite', 'read-models.sqlite', 'idempotency.sqlite', 'identity.sqlite']) {
      expect({ file, mode: (statSync(join(t.dataDir, file)).mode & 0o777).toString(8) }).toEqual({ file, mode: '600' });
    }
  });
});
