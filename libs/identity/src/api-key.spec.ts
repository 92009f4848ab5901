import { API_KEY_PREFIX, generateApiKey, hashSecret, looksLikeApiKey, parseApiKey, secretMatches, validateNewApiKey } from './api-key';

const NOW = new Date('2026-03-01T12:00:00Z');

describe('API key format', () => {
  it('is prefix, a 16-hex key id and a 43-character base64url secret (32 random bytes), and parses back', () => {
    const { keyId, secret, key } = generateApiKey();
    expect(key).toMatch(/^llk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(parseApiKey(key)).toEqual({ keyId, secret });
    expect(looksLikeApiKey(key)).toBe(true);
    expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
  });

  it('never repeats', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey().key));
    expect(keys.size).toBe(1000);
  });

  it('rejects near misses as malformed', () => {
    const { key } = generateApiKey();
    for (const bad of [key.slice(0, -1), `${key}x`, key.replace('llk_', 'llx_'), key.toUpperCase(), `${key.slice(0, 20)}!${key.slice(21)}`, '']) {
      expect(parseApiKey(bad)).toBeUndefined();
    }
  });

  it('compares secrets through their hash', () => {
    const { secret } = generateApiKey();
    expect(secretMatches(secret, hashSecret(secret))).toBe(true);
    expect(secretMatches(`${secret.slice(0, -1)}A`, hashSecret(secret))).toBe(secret.endsWith('A'));
    expect(secretMatches(secret, Buffer.alloc(3))).toBe(false);
  });
});

describe('validateNewApiKey', () => {
  const valid = { tenantId: 'acme', roles: ['admin'], name: 'crm sync' };

  it('accepts a valid request', () => {
    expect(validateNewApiKey(valid, NOW)).toEqual([]);
    expect(validateNewApiKey({ ...valid, roles: ['rep', 'auditor'], ownerId: 'rep-7', expiresAt: '2026-03-02T00:00:00+01:00' }, NOW)).toEqual([]);
  });

  it('names every bad field', () => {
    const problems = validateNewApiKey({ tenantId: '../x', roles: ['root'], name: ' padded ', ownerId: '', expiresAt: '2026-03-01T11:00:00Z' }, NOW);
    expect(problems.map((p) => p.field)).toEqual(['tenantId', 'roles', 'name', 'ownerId', 'expiresAt']);
  });

  it('requires roles, once each, and an owner for a rep key', () => {
    expect(validateNewApiKey({ ...valid, roles: [] }, NOW).map((p) => p.field)).toEqual(['roles']);
    expect(validateNewApiKey({ ...valid, roles: ['admin', 'admin'] }, NOW).map((p) => p.field)).toEqual(['roles']);
    expect(validateNewApiKey({ ...valid, roles: ['rep'] }, NOW)).toEqual([{ field: 'ownerId', reason: 'a rep key must name the owner it acts as' }]);
  });

  it('requires an expiry with a time zone, in the future', () => {
    expect(validateNewApiKey({ ...valid, expiresAt: '2026-03-02T00:00:00' }, NOW).map((p) => p.reason)).toEqual(['an ISO 8601 time with a time zone']);
    expect(validateNewApiKey({ ...valid, expiresAt: NOW.toISOString() }, NOW).map((p) => p.reason)).toEqual(['must be in the future']);
    expect(validateNewApiKey({ ...valid, expiresAt: 'tomorrow' }, NOW)).toHaveLength(1);
  });

  it('applies the X-Tenant-Id rule to tenant ids', () => {
    expect(validateNewApiKey({ ...valid, tenantId: 'a'.repeat(64) }, NOW)).toEqual([]);
    expect(validateNewApiKey({ ...valid, tenantId: 'a'.repeat(65) }, NOW)).toHaveLength(1);
    expect(validateNewApiKey({ ...valid, tenantId: '_acme' }, NOW)).toHaveLength(1);
  });
});
