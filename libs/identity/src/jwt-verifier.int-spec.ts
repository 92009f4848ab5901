import { createSecretKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { type JwksTestServer, startJwksTestServer, unsignedToken } from '../../../test/support/jwks-test-server';
import { AuthConfig } from './auth.config';
import { JwtVerifier, type JwtVerification } from './jwt-verifier';

const NOW = new Date('2026-03-01T12:00:00Z');
const now = Math.floor(NOW.getTime() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'user-42', tenant_id: 'acme', roles: ['rep', 'superuser', 'auditor'], iat: now - 60, exp: now + 600, ...extra });

function reasonOf(result: JwtVerification): string {
  return result.ok ? 'ok' : result.reason;
}

describe('JwtVerifier against a local JWKS server', () => {
  let idp: JwksTestServer;
  let verifier: JwtVerifier;

  beforeAll(async () => {
    idp = await startJwksTestServer();
    verifier = JwtVerifier.fromConfig(
      AuthConfig.fromEnv({ AUTH_JWKS_URL: idp.jwksUrl, AUTH_ISSUER: idp.issuer, AUTH_AUDIENCE: `other,${idp.audience}`, AUTH_CLOCK_TOLERANCE_SECONDS: '30' }),
    )!;
  });
  afterAll(() => idp.close());

  it.each(['RS256', 'ES256', 'EdDSA', 'PS256'] as const)('accepts a valid %s token: tenant and known roles from the claims, actor iss#sub, owner sub', async (alg) => {
    const result = await verifier.verify(await idp.sign(claims({ name: 'Ada Lovelace' }), { alg }), NOW);
    expect(result).toEqual({
      ok: true,
      principal: { tenantId: 'acme', roles: ['rep', 'auditor'], actor: `jwt:${idp.issuer}#user-42`, actorName: 'Ada Lovelace', ownerId: 'user-42', kind: 'jwt' },
    });
  });

  it('refuses an expired token, but accepts one within the clock tolerance', async () => {
    expect(reasonOf(await verifier.verify(await idp.sign(claims({ exp: now - 31 })), NOW))).toBe('expired');
    expect(reasonOf(await verifier.verify(await idp.sign(claims({ exp: now - 10 })), NOW))).toBe('ok');
  });

  it('refuses a token whose nbf is in the future (beyond the tolerance)', async () => {
    expect(reasonOf(await verifier.verify(await idp.sign(claims({ nbf: now + 120 })), NOW))).toBe('not_yet_valid');
    expect(reasonOf(await verifier.verify(await idp.sign(claims({ nbf: now + 10 })), NOW))).toBe('ok');
  });

  it('refuses a token of another issuer or for another audience', async () => {
    expect(reasonOf(await verifier.verify(await idp.sign(claims({ iss: 'https://evil.example/' })), NOW))).toBe('invalid');
    expect(reasonOf(await verifier.verify(await idp.sign(claims({ aud: 'someone-else' })), NOW))).toBe('invalid');
  });

  it('refuses HS256, even when the secret is the published public key (algorithm confusion)', async () => {
    const secret = createSecretKey(Buffer.from(await idp.rsaPublicKeyPem()));
    const token = await new SignJWT({ iss: idp.issuer, aud: idp.audience, ...claims() }).setProtectedHeader({ alg: 'HS256', kid: 'test-rs256' }).sign(secret);
    expect(reasonOf(await verifier.verify(token, NOW))).toBe('invalid');
  });

  it('refuses alg none', async () => {
    expect(reasonOf(await verifier.verify(unsignedToken({ iss: idp.issuer, aud: idp.audience, ...claims() }), NOW))).toBe('invalid');
  });

  it('refuses a token signed by a key the JWKS does not publish (unknown kid)', async () => {
    expect(reasonOf(await verifier.verify(await idp.signWithUnpublishedKey(claims()), NOW))).toBe('unknown');
  });

  it('refuses a token with a tampered payload', async () => {
    const [header, , signature] = (await idp.sign(claims())).split('.');
    const forged = Buffer.from(JSON.stringify({ iss: idp.issuer, aud: idp.audience, ...claims({ tenant_id: 'other' }) })).toString('base64url');
    expect(reasonOf(await verifier.verify(`${header}.${forged}.${signature}`, NOW))).toBe('invalid');
  });

  it('requires exp and sub, and a valid tenant id in the tenant claim', async () => {
    const { exp: _exp, ...withoutExp } = claims();
    expect(reasonOf(await verifier.verify(await idp.sign(withoutExp), NOW))).toBe('invalid');
    const { sub: _sub, ...withoutSub } = claims();
    expect(reasonOf(await verifier.verify(await idp.sign(withoutSub), NOW))).toBe('invalid');
    expect(reasonOf(await verifier.verify(await idp.sign(claims({ tenant_id: undefined })), NOW))).toBe('invalid');
    expect(reasonOf(await verifier.verify(await idp.sign(claims({ tenant_id: '../etc' })), NOW))).toBe('invalid');
  });

  it('calls what is not a compact JWS malformed', async () => {
    expect(reasonOf(await verifier.verify('not-a-token', NOW))).toBe('malformed');
    expect(reasonOf(await verifier.verify('a.b', NOW))).toBe('malformed');
  });

  it('reads nested or namespaced claims, and roles as a space-separated string', async () => {
    const custom = JwtVerifier.fromConfig(
      AuthConfig.fromEnv({
        AUTH_JWKS_URL: idp.jwksUrl,
        AUTH_ISSUER: idp.issuer,
        AUTH_AUDIENCE: idp.audience,
        AUTH_TENANT_CLAIM: 'https://example.com/tenant',
        AUTH_ROLES_CLAIM: 'realm_access.roles',
      }),
    )!;
    const token = await idp.sign({ sub: 'u1', exp: now + 60, 'https://example.com/tenant': 'globex', realm_access: { roles: 'manager offline_access' } });
    const result = await custom.verify(token, NOW);
    expect(result.ok && { tenantId: result.principal.tenantId, roles: result.principal.roles }).toEqual({ tenantId: 'globex', roles: ['manager'] });
  });

  it('answers unavailable (not unauthenticated) when the JWKS cannot be fetched', async () => {
    const down = await startJwksTestServer();
    const other = JwtVerifier.fromConfig(AuthConfig.fromEnv({ AUTH_JWKS_URL: down.jwksUrl, AUTH_ISSUER: down.issuer, AUTH_AUDIENCE: down.audience }))!;
    down.fail();
    try {
      expect(reasonOf(await other.verify(await down.sign(claims()), NOW))).toBe('unavailable');
    } finally {
      await down.close();
    }
  });
});

describe('JwtVerifier with one PEM public key', () => {
  let idp: JwksTestServer;
  let verifier: JwtVerifier;

  beforeAll(async () => {
    idp = await startJwksTestServer();
    const pem = (await idp.rsaPublicKeyPem()).replace(/\n/g, '\\n'); // as a one-line environment variable
    verifier = JwtVerifier.fromConfig(AuthConfig.fromEnv({ AUTH_JWT_PUBLIC_KEY: pem, AUTH_ISSUER: idp.issuer, AUTH_AUDIENCE: idp.audience }))!;
  });
  afterAll(() => idp.close());

  it('accepts a token signed by the matching private key', async () => {
    expect(reasonOf(await verifier.verify(await idp.sign(claims()), NOW))).toBe('ok');
  });

  it('refuses a token signed by another key or with an algorithm the key does not suit', async () => {
    expect(reasonOf(await verifier.verify(await idp.signWithUnpublishedKey(claims()), NOW))).toBe('invalid');
    expect(reasonOf(await verifier.verify(await idp.sign(claims(), { alg: 'ES256' }), NOW))).toBe('invalid');
    expect(reasonOf(await verifier.verify(unsignedToken({ iss: idp.issuer, aud: idp.audience, ...claims() }), NOW))).toBe('invalid');
  });

  it('cannot be built with a symmetric algorithm', () => {
    expect(() => new JwtVerifier({ publicKeyPem: 'x', issuer: 'i', audiences: ['a'], tenantClaim: 't', rolesClaim: 'r', algorithms: ['HS256' as never], clockToleranceSeconds: 0 })).toThrow(
      /asymmetric/,
    );
  });
});
