import { type Permission, PERMISSIONS } from './permissions';

export const ROLES = ['admin', 'manager', 'rep', 'marketing', 'auditor', 'privacy_officer', 'capture'] as const;

export type Role = (typeof ROLES)[number];

/**
 * Which leads a role's permissions reach: every lead of the tenant, or (for `rep`) only the leads the
 * principal owns or that nobody owns yet, and their opportunities; listings are filtered the same way.
 */
export type RoleScope = 'tenant' | 'owned';

export interface RoleDefinition {
  /** One line for the README table. */
  readonly summary: string;
  readonly scope: RoleScope;
  readonly permissions: readonly Permission[];
}

const TENANT_PERMISSIONS = PERMISSIONS.filter((p) => p !== 'apikey:manage');

/**
 * The role table of the engine, as data: the guard enforces it and the README prints it.
 * Key management (`apikey:manage`) belongs to no role: only the platform key has it.
 */
export const ROLE_DEFINITIONS: Readonly<Record<Role, RoleDefinition>> = {
  admin: {
    summary: 'everything in its tenant',
    scope: 'tenant',
    permissions: TENANT_PERMISSIONS,
  },
  manager: {
    summary: 'all lead and opportunity commands and reads, teams and routing, no erasure',
    scope: 'tenant',
    permissions: TENANT_PERMISSIONS.filter((p) => p !== 'lead:forget' && p !== 'projection:status'),
  },
  rep: {
    summary: 'commands and reads on the leads it owns or that are unassigned, and their opportunities; other leads are 404, listings show only those; marks only itself away or back; sees teams (lead ids only of its own) and the queue',
    scope: 'owned',
    permissions: [
      'lead:engage',
      'lead:promote',
      'lead:assign',
      'lead:disqualify',
      'lead:recycle',
      'lead:read',
      'lead:history',
      'lead:list',
      'opportunity:write',
      'opportunity:read',
      'team:availability',
      'routing:read',
    ],
  },
  marketing: {
    summary: 'capture, activities, recycle, reads of leads and read models; no SQL promotion, no opportunities',
    scope: 'tenant',
    permissions: ['lead:capture', 'lead:engage', 'lead:recycle', 'lead:read', 'lead:list', 'readmodel:read'],
  },
  auditor: {
    summary: 'read only: state and as-of, history in every format, funnel, KPIs, response SLAs, projection status, teams and the routing queue',
    scope: 'tenant',
    permissions: ['lead:read', 'lead:history', 'opportunity:read', 'readmodel:read', 'sla:read', 'projection:status', 'routing:read'],
  },
  privacy_officer: {
    summary: 'erasure, and reading the lead it erases',
    scope: 'tenant',
    permissions: ['lead:forget', 'lead:read'],
  },
  capture: {
    summary: 'public web forms: capture only, answered 202 `{ accepted: true }` whether the person was known or not',
    scope: 'tenant',
    permissions: ['lead:capture'],
  },
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
