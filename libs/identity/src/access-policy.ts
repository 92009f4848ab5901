import { LEAD_BOUND_PERMISSIONS, type Permission } from './permissions';
import type { Principal } from './principal';
import { ROLE_DEFINITIONS, type RoleScope } from './roles';

/**
 * The one authorisation decision: may this principal use a route that requires `permission`?
 * The platform key may only manage keys; every other principal has what its roles grant, in its tenant.
 * Ownership (for `rep`) is decided on the lead itself, by {@link canActOnLead}.
 */
export function allows(principal: Principal, permission: Permission): boolean {
  if (principal.kind === 'platform') return permission === 'apikey:manage';
  return scopeOf(principal, permission) !== undefined;
}

/** The widest reach the principal's roles give for `permission`, undefined when none grants it. */
export function scopeOf(principal: Principal, permission: Permission): RoleScope | undefined {
  if (principal.kind === 'platform') return undefined;
  let scope: RoleScope | undefined;
  for (const role of principal.roles) {
    const definition = ROLE_DEFINITIONS[role];
    if (!definition?.permissions.includes(permission)) continue;
    if (definition.scope === 'tenant') return 'tenant';
    scope = definition.scope;
  }
  return scope;
}

/**
 * May the principal touch a lead owned by `leadOwnerId` (null/undefined: unassigned)? Owner-scoped roles
 * reach only their own and unassigned leads; the caller answers 404 otherwise, as for an unknown lead.
 * With `permission`, the scope of that permission decides (a principal may be `rep` and `auditor`);
 * without, the principal's widest scope on lead data does.
 */
export function canActOnLead(principal: Principal, leadOwnerId: string | null | undefined, permission?: Permission): boolean {
  const scope = permission ? scopeOf(principal, permission) : widestLeadScope(principal);
  if (scope === 'tenant') return true;
  if (scope !== 'owned') return false;
  return leadOwnerId === null || leadOwnerId === undefined || (principal.ownerId !== undefined && leadOwnerId === principal.ownerId);
}

/** The filter a lead listing must apply for this principal: undefined for the whole tenant. */
export function leadListScope(principal: Principal): { readonly ownerId: string; readonly includeUnassigned: true } | undefined {
  if (scopeOf(principal, 'lead:list') !== 'owned') return undefined;
  // An owner-scoped principal without an owner sees only unassigned leads: the empty id matches no owner.
  return { ownerId: principal.ownerId ?? '', includeUnassigned: true };
}

/**
 * Whether a capture must be answered without saying what happened (202 `{ accepted: true }`): a caller
 * who may not read leads must not learn lead ids, nor whether a person was already known.
 */
export function answersCaptureBlind(principal: Principal): boolean {
  return allows(principal, 'lead:capture') && !allows(principal, 'lead:read');
}

function widestLeadScope(principal: Principal): RoleScope | undefined {
  let widest: RoleScope | undefined;
  for (const permission of LEAD_BOUND_PERMISSIONS) {
    const scope = scopeOf(principal, permission);
    if (scope === 'tenant') return 'tenant';
    widest ??= scope;
  }
  return widest;
}
