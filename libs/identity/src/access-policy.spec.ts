import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allows, answersCaptureBlind, canActOnLead, leadListScope, scopeOf } from './access-policy';
import { type Permission, PERMISSIONS } from './permissions';
import type { Principal } from './principal';
import { type Role, ROLE_DEFINITIONS, ROLES } from './roles';
import { roleTableMarkdown } from './role-table';

const READS: readonly Permission[] = ['lead:read', 'lead:history', 'lead:list', 'opportunity:read', 'readmodel:read', 'sla:read', 'projection:status', 'routing:read'];
const principal = (roles: Role[], extra: Partial<Principal> = {}): Principal => ({ tenantId: 'acme', roles, actor: 'apikey:0000000000000000', kind: 'api-key', ...extra });
const granted = (roles: Role[]) => PERMISSIONS.filter((p) => allows(principal(roles), p));

describe('the role table', () => {
  it('admin has every permission of its tenant, but key management is the platform key\'s alone', () => {
    expect(granted(['admin'])).toEqual(PERMISSIONS.filter((p) => p !== 'apikey:manage'));
    for (const role of ROLES) expect(allows(principal([role]), 'apikey:manage')).toBe(false);
    const platform: Principal = { tenantId: '*', roles: [], actor: 'platform', kind: 'platform' };
    expect(PERMISSIONS.filter((p) => allows(platform, p))).toEqual(['apikey:manage']);
    // A platform principal that somehow carried roles still reads nothing.
    expect(PERMISSIONS.filter((p) => allows({ ...platform, roles: ['admin'] }, p))).toEqual(['apikey:manage']);
  });

  it('manager has every lead and opportunity command and read but erasure', () => {
    const manager = granted(['manager']);
    expect(manager).not.toContain('lead:forget');
    for (const p of ['lead:capture', 'lead:engage', 'lead:promote', 'lead:assign', 'lead:disqualify', 'lead:recycle', 'lead:rescore', 'lead:read', 'lead:history', 'lead:list', 'opportunity:write', 'opportunity:read', 'readmodel:read'] as const) {
      expect(manager).toContain(p);
    }
  });

  it('auditor has no write permission at all', () => {
    expect(granted(['auditor']).every((p) => READS.includes(p))).toBe(true);
    expect(granted(['auditor'])).toEqual(expect.arrayContaining(['lead:read', 'lead:history', 'readmodel:read', 'sla:read', 'projection:status']));
  });

  it('capture may only capture, and is answered blind', () => {
    expect(granted(['capture'])).toEqual(['lead:capture']);
    expect(answersCaptureBlind(principal(['capture']))).toBe(true);
    expect(answersCaptureBlind(principal(['marketing']))).toBe(false);
    expect(answersCaptureBlind(principal(['capture', 'auditor']))).toBe(false);
    expect(answersCaptureBlind(principal(['auditor']))).toBe(false);
  });

  it('privacy_officer may erase and read the lead it erases, nothing else', () => {
    expect(granted(['privacy_officer']).sort()).toEqual(['lead:forget', 'lead:read']);
    expect(ROLES.filter((r) => allows(principal([r]), 'lead:forget')).sort()).toEqual(['admin', 'privacy_officer']);
  });

  it('marketing captures, records activities, recycles and reads, but neither promotes nor touches opportunities', () => {
    const marketing = granted(['marketing']);
    expect(marketing).toEqual(expect.arrayContaining(['lead:capture', 'lead:engage', 'lead:recycle', 'lead:read', 'readmodel:read']));
    for (const p of ['lead:promote', 'opportunity:write', 'opportunity:read', 'lead:forget'] as const) expect(marketing).not.toContain(p);
  });

  it('a principal without roles may do nothing', () => {
    expect(granted([])).toEqual([]);
  });

  it('permissions are the union of the roles\' grants: adding a role never takes one away', () => {
    const roles = fc.uniqueArray(fc.constantFrom(...ROLES));
    fc.assert(
      fc.property(roles, roles, fc.constantFrom(...PERMISSIONS), (a, b, permission) => {
        const union = [...new Set([...a, ...b])];
        expect(allows(principal(union), permission)).toBe(a.concat(b).some((r) => ROLE_DEFINITIONS[r].permissions.includes(permission)));
        if (allows(principal(a), permission)) expect(allows(principal(union), permission)).toBe(true);
      }),
    );
  });
});

describe('ownership (rep)', () => {
  const rep = principal(['rep'], { ownerId: 'rep-7' });

  it('a rep acts on the leads it owns and on unassigned ones, not on another rep\'s', () => {
    expect(canActOnLead(rep, 'rep-7')).toBe(true);
    expect(canActOnLead(rep, null)).toBe(true);
    expect(canActOnLead(rep, undefined)).toBe(true);
    expect(canActOnLead(rep, 'rep-8')).toBe(false);
    expect(canActOnLead(rep, 'rep-8', 'lead:engage')).toBe(false);
    expect(canActOnLead(rep, 'rep-7', 'lead:forget')).toBe(false);
  });

  it('a rep without an owner id reaches only unassigned leads', () => {
    const anonymous = principal(['rep']);
    expect(canActOnLead(anonymous, null)).toBe(true);
    expect(canActOnLead(anonymous, 'rep-7')).toBe(false);
    expect(leadListScope(anonymous)).toEqual({ ownerId: '', includeUnassigned: true });
  });

  it('tenant-wide roles reach every lead; with rep and auditor, reads reach every lead and writes only owned ones', () => {
    expect(canActOnLead(principal(['manager']), 'rep-8')).toBe(true);
    const both = principal(['rep', 'auditor'], { ownerId: 'rep-7' });
    expect(canActOnLead(both, 'rep-8', 'lead:read')).toBe(true);
    expect(canActOnLead(both, 'rep-8', 'lead:engage')).toBe(false);
    expect(canActOnLead(both, 'rep-8')).toBe(true);
    expect(scopeOf(both, 'lead:engage')).toBe('owned');
  });

  it('a rep\'s listing is filtered to its own and unassigned leads; others\' is not', () => {
    expect(leadListScope(rep)).toEqual({ ownerId: 'rep-7', includeUnassigned: true });
    expect(leadListScope(principal(['manager']))).toBeUndefined();
    expect(leadListScope(principal(['rep', 'marketing'], { ownerId: 'rep-7' }))).toBeUndefined();
  });
});

describe('the documented role table', () => {
  it('is generated from the data, and the Security documentation contains it verbatim', () => {
    const table = roleTableMarkdown();
    for (const role of ROLES) expect(table).toContain(`\`${role}\``);
    const documentation = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    expect(documentation).toContain(table);
  });
});
