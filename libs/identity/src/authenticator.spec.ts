import { ManualClock } from '../../../test/support/domain/manual-clock';
import { AuthError, AuthErrorCode, authErrorBody } from './auth-error';
import { CredentialAuthenticator, ResolverAuthenticator } from './authenticator';
import { PlatformKey } from './platform-key';
import { PLATFORM_TENANT, type Principal, type RequestHeaders } from './principal';
import { SqliteApiKeyStore } from './sqlite-api-key.store';

const PLATFORM = `llp_${'p'.repeat(43)}`;
const bearer = (token: string, extra: RequestHeaders = {}): RequestHeaders => ({ authorization: `Bearer ${token}`, ...extra });

async function refusal(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error('expected an AuthError');
}

describe('CredentialAuthenticator', () => {
  const clock = new ManualClock('2026-03-01T12:00:00Z');
  const store = new SqliteApiKeyStore(':memory:');
  const authenticator = new CredentialAuthenticator({ store, clock, platformKey: new PlatformKey(PLATFORM) });
  afterAll(() => store.close());

  it('401 missing, with the bare Bearer challenge, without an Authorization header', async () => {
    const error = await refusal(authenticator.authenticate({}));
    expect({ code: error.code, reason: error.reason, status: error.statusCode }).toEqual({ code: AuthErrorCode.Unauthenticated, reason: 'missing', status: 401 });
    expect(error.headers()).toEqual({ 'WWW-Authenticate': 'Bearer' });
    expect(authErrorBody(error)).toEqual({ statusCode: 401, error: 'UNAUTHORIZED', code: 'UNAUTHENTICATED', message: expect.any(String), reason: 'missing' });
  });

  it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Bearer two tokens', `Bearer ${'x'.repeat(9000)}`, 'Bearer tøken'])('401 malformed for %j', async (value) => {
    const error = await refusal(authenticator.authenticate({ authorization: value }));
    expect(error.reason).toBe('malformed');
    expect(error.headers()['WWW-Authenticate']).toBe('Bearer error="invalid_token", error_description="malformed"');
  });

  it('the platform key is a platform principal: no tenant, no roles', async () => {
    await expect(authenticator.authenticate(bearer(PLATFORM, { 'x-tenant-id': 'anything' }))).resolves.toEqual({
      tenantId: PLATFORM_TENANT,
      roles: [],
      actor: 'platform',
      actorName: 'platform key',
      kind: 'platform',
    });
    expect((await refusal(authenticator.authenticate(bearer(`${PLATFORM}x`)))).reason).toBe('unknown');
  });

  it('an API key is its tenant, roles, name and owner; actor apikey:<keyId>', async () => {
    const created = await store.create({ tenantId: 'acme', roles: ['rep'], name: 'rep seven', ownerId: 'rep-7' }, clock.now());
    await expect(authenticator.authenticate(bearer(created.key))).resolves.toEqual({
      tenantId: 'acme',
      roles: ['rep'],
      actor: `apikey:${created.keyId}`,
      actorName: 'rep seven',
      ownerId: 'rep-7',
      kind: 'api-key',
    });
  });

  it('401 with the reason for a malformed, unknown, expired or revoked API key', async () => {
    const expiring = await store.create({ tenantId: 'acme', roles: ['auditor'], name: 'soon', expiresAt: '2026-03-01T13:00:00Z' }, clock.now());
    const revoked = await store.create({ tenantId: 'acme', roles: ['auditor'], name: 'gone' }, clock.now());
    await store.revoke(revoked.keyId, clock.now());
    const unknown = `llk_${'0'.repeat(16)}_${'A'.repeat(43)}`;
    const reasons = async (token: string) => (await refusal(authenticator.authenticate(bearer(token)))).reason;
    expect(await reasons('llk_short')).toBe('malformed');
    expect(await reasons(unknown)).toBe('unknown');
    expect(await reasons(revoked.key)).toBe('revoked');
    clock.advance(3600_000);
    expect(await reasons(expiring.key)).toBe('expired');
  });

  it('without a JWT provider, any other token is unknown', async () => {
    expect((await refusal(authenticator.authenticate(bearer('eyJhbGciOiJSUzI1NiJ9.e30.c2ln')))).reason).toBe('unknown');
  });

  it('403 TENANT_MISMATCH when X-Tenant-Id names another tenant; the same tenant is fine', async () => {
    const created = await store.create({ tenantId: 'acme', roles: ['admin'], name: 'admin' }, clock.now());
    await expect(authenticator.authenticate(bearer(created.key, { 'x-tenant-id': 'acme' }))).resolves.toMatchObject({ tenantId: 'acme' });
    const error = await refusal(authenticator.authenticate(bearer(created.key, { 'x-tenant-id': 'globex' })));
    expect({ code: error.code, status: error.statusCode, headers: error.headers() }).toEqual({ code: AuthErrorCode.TenantMismatch, status: 403, headers: {} });
    expect((await refusal(authenticator.authenticate(bearer(created.key, { 'x-tenant-id': 'acme, globex' })))).code).toBe(AuthErrorCode.TenantMismatch);
  });
});

describe('ResolverAuthenticator (embedding)', () => {
  const host: Principal = { tenantId: 'acme', roles: ['manager'], actor: 'host:user-1', kind: 'host' };

  it('takes the host\'s principal, keeping known roles only', async () => {
    const authenticator = new ResolverAuthenticator(async () => ({ ...host, roles: ['manager', 'wizard' as never] }));
    await expect(authenticator.authenticate({})).resolves.toEqual(host);
  });

  it('401 when the host recognises no identity, 403 on a tenant mismatch', async () => {
    expect((await refusal(new ResolverAuthenticator(async () => undefined).authenticate({}))).code).toBe(AuthErrorCode.Unauthenticated);
    expect((await refusal(new ResolverAuthenticator(async () => host).authenticate({ 'x-tenant-id': 'globex' }))).code).toBe(AuthErrorCode.TenantMismatch);
  });

  it('refuses a malformed principal from the host as a programming error', async () => {
    await expect(new ResolverAuthenticator(async () => ({ ...host, tenantId: '' })).authenticate({})).rejects.toThrow(/invalid tenant id/);
  });
});
