import { ConfigurationError } from '@lead-lifecycle/eventing';
import { AuthConfig } from './auth.config';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    AuthConfig.fromEnv(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
};

describe('AuthConfig', () => {
  it('has safe defaults: no JWTs, CORS closed, 600 requests a minute, 60 for capture', () => {
    const config = AuthConfig.fromEnv({});
    expect(config.jwtEnabled).toBe(false);
    expect(config.corsOrigins).toEqual([]);
    expect(config.RATE_LIMIT_PER_MINUTE).toBe(600);
    expect(config.RATE_LIMIT_CAPTURE_PER_MINUTE).toBe(60);
    expect(config.AUTH_TENANT_CLAIM).toBe('tenant_id');
    expect(config.AUTH_ROLES_CLAIM).toBe('roles');
    expect(config.algorithms).not.toContain('HS256');
  });

  it('needs issuer and audience once JWTs are accepted', () => {
    const problems = problemsOf({ AUTH_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json' });
    expect(problems.some((p) => p.startsWith('AUTH_ISSUER'))).toBe(true);
    expect(problems.some((p) => p.startsWith('AUTH_AUDIENCE'))).toBe(true);
    const config = AuthConfig.fromEnv({ AUTH_JWKS_URL: 'https://idp.example.com/jwks', AUTH_ISSUER: 'https://idp.example.com/', AUTH_AUDIENCE: 'a,b' });
    expect(config.jwtEnabled).toBe(true);
    expect(config.audiences).toEqual(['a', 'b']);
  });

  it('fetches keys over https only, plain http to this machine only', () => {
    expect(problemsOf({ AUTH_JWKS_URL: 'http://idp.example.com/jwks', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' })).toHaveLength(1);
    expect(problemsOf({ AUTH_JWKS_URL: 'http://127.0.0.1:8080/jwks', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' })).toEqual([]);
  });

  it('takes one source of keys, not both', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\\nMFkw\\n-----END PUBLIC KEY-----';
    expect(problemsOf({ AUTH_JWKS_URL: 'https://idp.example.com/jwks', AUTH_JWT_PUBLIC_KEY: pem, AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' })).toEqual([
      expect.stringContaining('not both'),
    ]);
    expect(AuthConfig.fromEnv({ AUTH_JWT_PUBLIC_KEY: pem, AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' }).publicKeyPem).toBe('-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----');
    expect(problemsOf({ AUTH_JWT_PUBLIC_KEY: 'secret', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' })).toHaveLength(1);
  });

  it('accepts asymmetric algorithms only', () => {
    expect(problemsOf({ AUTH_JWT_ALGORITHMS: 'RS256,HS256' })).toHaveLength(1);
    expect(problemsOf({ AUTH_JWT_ALGORITHMS: 'none' })).toHaveLength(1);
    expect(AuthConfig.fromEnv({ AUTH_JWT_ALGORITHMS: 'ES256,EdDSA' }).algorithms).toEqual(['ES256', 'EdDSA']);
  });

  it('refuses a short or spaced ADMIN_API_KEY', () => {
    expect(problemsOf({ ADMIN_API_KEY: 'short' })).toHaveLength(1);
    expect(problemsOf({ ADMIN_API_KEY: `${'x'.repeat(20)} ${'y'.repeat(20)}` })).toHaveLength(1);
    expect(problemsOf({ ADMIN_API_KEY: 'x'.repeat(32) })).toEqual([]);
  });

  it('lists CORS origins, without paths or wildcards', () => {
    expect(AuthConfig.fromEnv({ CORS_ORIGINS: 'https://app.example.com,http://localhost:5173' }).corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(problemsOf({ CORS_ORIGINS: '*' })).toHaveLength(1);
    expect(problemsOf({ CORS_ORIGINS: 'https://app.example.com/path' })).toHaveLength(1);
  });

  it('bounds rate limits and the clock tolerance', () => {
    const fields = problemsOf({ RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_CAPTURE_PER_MINUTE: 'many', AUTH_CLOCK_TOLERANCE_SECONDS: '3600' }).map((p) => p.split(':')[0]);
    expect([...new Set(fields)].sort()).toEqual(['AUTH_CLOCK_TOLERANCE_SECONDS', 'RATE_LIMIT_CAPTURE_PER_MINUTE', 'RATE_LIMIT_PER_MINUTE']);
    expect(AuthConfig.fromEnv({ RATE_LIMIT_CAPTURE_PER_MINUTE: '5' }).RATE_LIMIT_CAPTURE_PER_MINUTE).toBe(5);
  });
});
