import fc from 'fast-check';
import { DomainError, DomainErrorCode } from '@lead-lifecycle/domain';
import { isTenantId, type Principal } from '@lead-lifecycle/identity';
import { illTyped } from '../../../../test/support/domain/ill-typed';
import { commandContextOf, type HostPrincipal } from './host-principal';

describe('commandContextOf (a host principal into the engine’s command context)', () => {
  it('takes tenant and actor from the principal, and fresh request ids unless given', () => {
    const principal: HostPrincipal = { tenantId: 'acme', actor: 'host-user:alice', actorName: 'Alice', roles: ['sales'] };
    const context = commandContextOf(principal, 'CaptureLead');
    expect(context).toEqual({ tenantId: 'acme', actor: 'host-user:alice', actorName: 'Alice', correlationId: expect.any(String), causationId: context.correlationId, command: 'CaptureLead' });
    expect(commandContextOf(principal, 'CaptureLead').correlationId).not.toBe(context.correlationId);
    expect(commandContextOf(principal, 'X', { correlationId: 'c', causationId: 'r' })).toMatchObject({ correlationId: 'c', causationId: 'r' });
  });

  it('accepts identity’s Principal as it is (what a PrincipalResolver answers)', () => {
    const resolved: Principal = { tenantId: 'acme', actor: 'jwt:https://idp.example#u1', roles: ['rep'], ownerId: 'u1', kind: 'host' };
    expect(commandContextOf(resolved, 'AssignLead')).toMatchObject({ tenantId: 'acme', actor: 'jwt:https://idp.example#u1' });
    expect(commandContextOf(resolved, 'AssignLead')).not.toHaveProperty('roles');
  });

  it('refuses a principal identity would refuse a tenant for, or one without a printable actor (generated)', () => {
    const principal = fc.record({ tenantId: fc.oneof(fc.string(), fc.anything()), actor: fc.oneof(fc.constant('host-user:a'), fc.string(), fc.anything()) });
    fc.assert(
      fc.property(principal, (p) => {
        const valid = isTenantId(p.tenantId) && typeof p.actor === 'string' && /^[\x21-\x7e][\x20-\x7e]{0,199}$/.test(p.actor);
        const make = () => commandContextOf(illTyped<HostPrincipal>(p), 'CaptureLead');
        if (valid) expect(make().tenantId).toBe(p.tenantId);
        else expect(make).toThrow(expect.objectContaining({ code: DomainErrorCode.InvalidCommand }));
      }),
      { numRuns: 400 },
    );
    expect(() => commandContextOf(illTyped<HostPrincipal>(undefined), 'CaptureLead')).toThrow(DomainError);
  });
});
