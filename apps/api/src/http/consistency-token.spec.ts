import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { positionToString } from '@lead-lifecycle/eventing';
import { CONSISTENCY_KEY_FILE, ConsistencyTokens } from './consistency-token';

describe('consistency tokens', () => {
  const tokens = new ConsistencyTokens(randomBytes(32));
  const position = { commit: 4242n, prepare: 4242n };

  it('round-trips a position for its tenant, without showing it', () => {
    const token = tokens.issue('acme', position);
    expect(token).toMatch(/^ct1\./);
    expect(token).not.toContain('4242');
    expect(positionToString(tokens.read('acme', token))).toBe('4242');
    expect(tokens.issue('acme', position)).not.toBe(token);
  });

  it("refuses another tenant's token, an altered one, another key's and a raw position with 400 naming minPosition", () => {
    const token = tokens.issue('acme', position);
    const altered = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
    const foreign = new ConsistencyTokens(randomBytes(32)).issue('acme', position);
    for (const [tenant, bad] of [['globex', token], ['acme', altered], ['acme', foreign], ['acme', '4242'], ['acme', 'ct1.short']]) {
      expect(() => tokens.read(tenant, bad)).toThrow(expect.objectContaining({ details: { problems: [expect.objectContaining({ field: 'minPosition' })] } }));
    }
  });

  it('keeps its key in the data folder, 0600, the same across starts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-'));
    try {
      const token = ConsistencyTokens.inDataDir(dir).issue('acme', position);
      expect(positionToString(ConsistencyTokens.inDataDir(dir).read('acme', token))).toBe('4242');
      expect(statSync(join(dir, CONSISTENCY_KEY_FILE)).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
