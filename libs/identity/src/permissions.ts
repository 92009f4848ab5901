/**
 * Everything a route can require. A route declares exactly one (or is public); roles grant sets of them.
 * The route list documents which HTTP routes each permission guards (the wiring follows it).
 */
export const PERMISSIONS = [
  'lead:capture',
  'lead:engage',
  'lead:promote',
  'lead:assign',
  'lead:disqualify',
  'lead:recycle',
  'lead:rescore',
  'lead:forget',
  'lead:read',
  'lead:history',
  'lead:list',
  'opportunity:write',
  'opportunity:read',
  'readmodel:read',
  'sla:read',
  'projection:status',
  'team:manage',
  'team:availability',
  'routing:read',
  'apikey:manage',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}

/** Permissions about one lead (or its opportunities): for an owner-scoped role they depend on the lead's owner. */
export const LEAD_BOUND_PERMISSIONS: readonly Permission[] = [
  'lead:engage',
  'lead:promote',
  'lead:assign',
  'lead:disqualify',
  'lead:recycle',
  'lead:rescore',
  'lead:forget',
  'lead:read',
  'lead:history',
  'opportunity:write',
  'opportunity:read',
];

/** What each permission guards, for the README table and the route wiring. */
export const PERMISSION_ROUTES: Readonly<Record<Permission, string>> = {
  'lead:capture': 'POST /v1/leads',
  'lead:engage': 'POST /v1/leads/:id/activities',
  'lead:promote': 'POST /v1/leads/:id/sql',
  'lead:assign': 'POST /v1/leads/:id/assign',
  'lead:disqualify': 'POST /v1/leads/:id/disqualify',
  'lead:recycle': 'POST /v1/leads/:id/recycle',
  'lead:rescore': 'POST /v1/leads/:id/rescore',
  'lead:forget': 'POST /v1/leads/:id/forget',
  'lead:read': 'GET /v1/leads/:id (now and as of), GET /v1/funnel/leads/:id',
  'lead:history': 'GET /v1/leads/:id/history (json, ndjson, csv)',
  'lead:list': 'GET /v1/leads',
  'opportunity:write': 'POST /v1/leads/:id/opportunities, POST /v1/opportunities/:id/stage, /win, /lose',
  'opportunity:read': 'GET /v1/opportunities/:id',
  'readmodel:read': 'GET /v1/funnel, GET /v1/kpis',
  'sla:read': 'GET /v1/sla',
  'projection:status': 'GET /v1/projections, the positions in GET /health, GET /v1/dashboard/events (the Live page)',
  'team:manage': 'POST /v1/teams, POST /v1/teams/:teamId/members, DELETE /v1/teams/:teamId/members/:ownerId',
  'team:availability': 'POST /v1/teams/:teamId/members/:ownerId/availability (rep: its own only)',
  'routing:read': 'GET /v1/teams/:teamId, GET /v1/queue',
  'apikey:manage': 'POST, GET /v1/admin/api-keys, DELETE /v1/admin/api-keys/:keyId',
};
