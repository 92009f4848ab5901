import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { positionToString } from '@lead-lifecycle/eventing';
import { allows, type Permission, type PrincipalKind, type Role, ROLE_DEFINITIONS, ROLES, ROUTE_ACCESS, type RouteAccess } from '@lead-lifecycle/identity';
import { RouteTable } from '../../apps/api/src/http/route-table';
import { type JwksTestServer, startJwksTestServer } from '../support/jwks-test-server';
import { removeDataDir, startTestApp, TEST_PLATFORM_KEY, type TestApp } from '../support/test-app';

/**
 * The access matrix: every route the router holds × every role (as an API key and as a JWT of a local
 * identity provider) × own tenant / other tenant / (for lead routes) the rep's own lead, another rep's
 * lead and an unassigned lead; and every route with no, a malformed, an unknown, an expired and a revoked
 * credential. Each answer is 2xx, 401, 403 or 404 as the role table says, and no refusal moves the head.
 */

jest.setTimeout(600_000);

const OWN = 'acme';
const OTHER = 'globex';
const REP = 'rep-1';
const OTHER_REP = 'rep-2';

const highFit = { jobTitle: 'VP Engineering', company: { name: 'Acme', size: 5000, industry: 'software', country: 'US' } };
const allBant = { budget: { met: true }, authority: { met: true }, need: { met: true }, timeline: { met: true } };
const newLead = (extra: object = {}) => ({ contact: { email: `${randomUUID()}@matrix.test` }, source: { channel: 'seo' }, ...extra });

/** Which lead a lead-bound request is about. */
type Target = 'unassigned' | 'own' | 'other-rep' | 'other-tenant';

/** A request to send: path, optional body and query. */
interface Prepared {
  readonly path: string;
  readonly body?: object;
  readonly query?: Record<string, string>;
}

interface RouteSpec {
  /** Whether the route acts on one lead (its owner and tenant decide) or on the tenant as a whole. */
  readonly leadBound: boolean;
  /** Builds fresh state for one request (as the tenant's admin) and the request that should succeed on it. */
  prepare(fx: Fixtures, target: Target): Promise<Prepared>;
  /** An answer that never ends (server-sent events): a 2xx is read up to its headers, then closed. */
  readonly stream?: boolean;
}

/** Makes leads and opportunities in a tenant, as its admin, with the owner a target asks for. */
class Fixtures {
  constructor(private readonly t: TestApp) {}

  async post(tenant: string, path: string, body: object): Promise<Record<string, unknown>> {
    const res = await this.t.http.post(path).set('X-Tenant-Id', tenant).send(body);
    if (res.status >= 300) throw new Error(`fixture POST ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as Record<string, unknown>;
  }

  /** A lead of the target's tenant and owner; `mql`/`sql` make it that far. */
  async lead(target: Target, stage: 'lead' | 'mql' | 'sql' = 'lead'): Promise<{ leadId: string; position: string; tenant: string }> {
    const tenant = target === 'other-tenant' ? OTHER : OWN;
    const captured = await this.post(tenant, '/v1/leads', newLead(stage === 'lead' ? {} : highFit));
    const leadId = String(captured.leadId);
    let position = String(captured.position);
    if (stage === 'sql') position = String((await this.post(tenant, `/v1/leads/${leadId}/sql`, { bant: allBant, qualifiedBy: 'sdr' })).position);
    const owner = target === 'own' ? REP : target === 'other-rep' ? OTHER_REP : target === 'other-tenant' ? OTHER_REP : undefined;
    if (owner) position = String((await this.post(tenant, `/v1/leads/${leadId}/assign`, { ownerId: owner })).position);
    return { leadId, position, tenant };
  }

  /** The token the own tenant would have for the position a fixture write of the target's tenant answered. */
  ownToken(target: Target, token: string): string {
    return this.t.token(OWN, this.t.positionOf(target === 'other-tenant' ? OTHER : OWN, token));
  }

  async opportunity(target: Target): Promise<{ opportunityId: string; leadId: string }> {
    const { leadId, tenant } = await this.lead(target, 'sql');
    const opened = await this.post(tenant, `/v1/leads/${leadId}/opportunities`, { amount: 1000, currency: 'EUR' });
    return { opportunityId: String(opened.opportunityId), leadId };
  }
}

const leadRoute = (path: (id: string) => string, body?: object, stage: 'lead' | 'mql' | 'sql' = 'lead'): RouteSpec => ({
  leadBound: true,
  async prepare(fx, target) {
    return { path: path((await fx.lead(target, stage)).leadId), body };
  },
});
const opportunityRoute = (path: (id: string) => string, body?: object): RouteSpec => ({
  leadBound: true,
  async prepare(fx, target) {
    return { path: path((await fx.opportunity(target)).opportunityId), body };
  },
});
const tenantRoute = (path: string, body?: () => object): RouteSpec => ({ leadBound: false, prepare: async () => ({ path, body: body?.() }) });
let teams = 0;
/** A fresh team of the own tenant (with the rep as a member), for the team routes. */
const teamRoute = (path: (teamId: string) => string, body?: () => object): RouteSpec => ({
  leadBound: false,
  async prepare(fx) {
    const teamId = `matrix-${++teams}`;
    await fx.post(OWN, '/v1/teams', { teamId, name: 'matrix' });
    await fx.post(OWN, `/v1/teams/${teamId}/members`, { ownerId: REP });
    return { path: path(teamId), body: body?.() };
  },
});

/** How to call each route; a route the router holds and this table lacks fails the test. */
const ROUTES: Record<string, RouteSpec> = {
  'POST /v1/leads': tenantRoute('/v1/leads', () => newLead()),
  'POST /v1/leads/:id/activities': leadRoute((id) => `/v1/leads/${id}/activities`, { type: 'page_view' }),
  'POST /v1/leads/:id/sql': leadRoute((id) => `/v1/leads/${id}/sql`, { bant: allBant, qualifiedBy: 'sdr' }, 'mql'),
  'POST /v1/leads/:id/assign': leadRoute((id) => `/v1/leads/${id}/assign`, { ownerId: REP }),
  'POST /v1/leads/:id/disqualify': leadRoute((id) => `/v1/leads/${id}/disqualify`, { reason: 'no_budget' }),
  // A lead asked to advance to the stage it is in: allowed, appending nothing (no host stages configured here).
  'POST /v1/leads/:id/stage': leadRoute((id) => `/v1/leads/${id}/stage`, { stage: 'lead' }),
  'POST /v1/leads/:id/recycle': leadRoute((id) => `/v1/leads/${id}/recycle`, { reason: 'later' }),
  'POST /v1/leads/:id/opportunities': leadRoute((id) => `/v1/leads/${id}/opportunities`, { amount: 10, currency: 'EUR' }, 'sql'),
  'POST /v1/leads/:id/forget': leadRoute((id) => `/v1/leads/${id}/forget`, { reason: 'erasure request' }),
  'POST /v1/leads/:id/rescore': leadRoute((id) => `/v1/leads/${id}/rescore`, {}),
  'GET /v1/leads/:id': leadRoute((id) => `/v1/leads/${id}`),
  'GET /v1/leads/:id/history': leadRoute((id) => `/v1/leads/${id}/history`),
  'GET /v1/leads/:id/integrity': leadRoute((id) => `/v1/leads/${id}/integrity`),
  'POST /v1/opportunities/:id/stage': opportunityRoute((id) => `/v1/opportunities/${id}/stage`, { stage: 'proposal' }),
  'POST /v1/opportunities/:id/win': opportunityRoute((id) => `/v1/opportunities/${id}/win`, { amount: 12 }),
  'POST /v1/opportunities/:id/lose': opportunityRoute((id) => `/v1/opportunities/${id}/lose`, { reason: 'price' }),
  'GET /v1/opportunities/:id': opportunityRoute((id) => `/v1/opportunities/${id}`),
  'GET /v1/funnel': tenantRoute('/v1/funnel'),
  'GET /v1/funnel/leads/:id': {
    leadBound: true,
    async prepare(fx, target) {
      const { leadId, position } = await fx.lead(target);
      // The caller's own token for the write, so that the tenant decides the answer, not the token.
      return { path: `/v1/funnel/leads/${leadId}`, query: { minPosition: fx.ownToken(target, position) } };
    },
  },
  'GET /v1/leads': tenantRoute('/v1/leads'),
  'GET /v1/kpis': tenantRoute('/v1/kpis'),
  'GET /v1/sla': tenantRoute('/v1/sla'),
  'GET /v1/projections': tenantRoute('/v1/projections'),
  'GET /health': tenantRoute('/health'),
  'GET /health/ready': tenantRoute('/health/ready'),
  // The dashboard's files are public like /health: they hold no data, the pages fetch it with the person's credential.
  'GET /dashboard': tenantRoute('/dashboard'),
  'GET /dashboard/:file': tenantRoute('/dashboard/app.js'),
  'GET /dashboard/:folder/:file': tenantRoute('/dashboard/vendor/echarts.min.js'),
  'GET /v1/dashboard/events': { ...tenantRoute('/v1/dashboard/events'), stream: true },
  'POST /v1/teams': tenantRoute('/v1/teams', () => ({ teamId: `matrix-new-${++teams}`, name: 'new' })),
  'POST /v1/teams/:teamId/members': teamRoute((id) => `/v1/teams/${id}/members`, () => ({ ownerId: `owner-${++teams}` })),
  'DELETE /v1/teams/:teamId/members/:ownerId': teamRoute((id) => `/v1/teams/${id}/members/${REP}`),
  'POST /v1/teams/:teamId/members/:ownerId/availability': teamRoute((id) => `/v1/teams/${id}/members/${REP}/availability`, () => ({ available: false })),
  'GET /v1/teams/:teamId': teamRoute((id) => `/v1/teams/${id}`),
  'GET /v1/queue': tenantRoute('/v1/queue'),
  'POST /v1/admin/api-keys': tenantRoute('/v1/admin/api-keys', () => ({ tenantId: OWN, roles: ['auditor'], name: 'made in the matrix' })),
  'GET /v1/admin/api-keys': tenantRoute('/v1/admin/api-keys'),
  'DELETE /v1/admin/api-keys/:keyId': tenantRoute('/v1/admin/api-keys/0000000000000000'),
};

/** A caller of the matrix: a role of the own tenant, as an API key or a JWT, or the platform key. */
interface Caller {
  readonly label: string;
  readonly kind: PrincipalKind;
  readonly role?: Role;
  readonly token: string;
}

describe('access matrix: every route × every role × tenant and ownership, and every bad credential', () => {
  let t: TestApp;
  let idp: JwksTestServer;
  let fx: Fixtures;
  let routes: Array<{ key: string; method: string; permission?: Permission }>;
  const callers: Caller[] = [];

  beforeAll(async () => {
    idp = await startJwksTestServer();
    t = await startTestApp({
      env: { AUTH_JWKS_URL: idp.jwksUrl, AUTH_ISSUER: idp.issuer, AUTH_AUDIENCE: idp.audience, RATE_LIMIT_CAPTURE_PER_MINUTE: '1000000' },
    });
    fx = new Fixtures(t);
    // The routes as the router holds them, with the access rule each handler declares.
    const rules = accessRules(t);
    routes = RouteTable.of(t.app)
      .routes()
      .filter((r) => !r.path.startsWith('/docs'))
      .map((r) => {
        const key = `${r.method} ${r.path}`;
        const rule = rules.get(key);
        if (!rule) throw new Error(`${key} has no access rule the test can find`);
        return { key, method: r.method.toLowerCase(), permission: 'permission' in rule ? rule.permission : undefined };
      });
    for (const role of ROLES) {
      const ownerId = role === 'rep' ? REP : undefined;
      callers.push({ label: `${role} (API key)`, kind: 'api-key', role, token: (await t.createKey({ tenantId: OWN, roles: [role], name: `matrix ${role}`, ownerId })).key });
      const sub = role === 'rep' ? REP : `user-${role}`;
      callers.push({ label: `${role} (JWT)`, kind: 'jwt', role, token: await idp.sign({ sub, tenant_id: OWN, roles: [role], exp: Math.floor(Date.now() / 1000) + 3600 }) });
    }
    callers.push({ label: 'platform key', kind: 'platform', token: TEST_PLATFORM_KEY });
  });

  afterAll(async () => {
    await t?.close();
    if (t) removeDataDir(t.dataDir);
    await idp?.close();
  });

  const head = async () => positionToString(await t.store.headPosition());

  async function send(method: string, req: Prepared, headers: Record<string, string>, stream = false) {
    let test = (Reflect.get(t.anonymous, method) as (url: string) => import('supertest').Test).call(t.anonymous, req.path);
    if (req.query) test = test.query(req.query);
    for (const [name, value] of Object.entries(headers)) test = test.set(name, value);
    if (req.body !== undefined) test = test.send(req.body);
    // A stream that was let in never ends: its status and headers are the answer. A refusal is an ordinary JSON error.
    if (stream) {
      test = test.buffer(false).parse((res, done) => {
        if (res.statusCode < 300) {
          done(null, {});
          // superagent hands the parser the node response (typed as its own Response): close the socket.
          if ('destroy' in res && typeof res.destroy === 'function') (res.destroy as () => void).call(res);
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done(null, text ? JSON.parse(text) : {}));
      });
    }
    return test;
  }

  it('knows how to call every route the router holds, and every one declares an access rule', () => {
    expect(routes.length).toBeGreaterThanOrEqual(24);
    expect(routes.map((r) => r.key).filter((key) => !(key in ROUTES))).toEqual([]);
    expect(Object.keys(ROUTES).filter((key) => !routes.some((r) => r.key === key))).toEqual([]);
  });

  it('answers every route × role × target as the role table says, and no refusal appends anything', async () => {
    const failures: string[] = [];
    const seen = new Map<string, number>();
    for (const route of routes) {
      const spec = ROUTES[route.key];
      const targets: Target[] = spec.leadBound ? ['unassigned', 'own', 'other-rep', 'other-tenant'] : ['unassigned', 'other-tenant'];
      for (const caller of callers) {
        for (const target of targets) {
          const req = await spec.prepare(fx, target);
          const headers: Record<string, string> = { Authorization: `Bearer ${caller.token}` };
          // For a tenant-wide route, "the other tenant" is asking for it by header: the credential decides, so 403.
          if (!spec.leadBound && target === 'other-tenant') headers['X-Tenant-Id'] = OTHER;
          const expected = expectedStatus(route, caller, target, spec.leadBound);
          const before = await head();
          const res = await send(route.method, req, headers, spec.stream);
          const after = await head();
          const got = res.status >= 200 && res.status < 300 ? '2xx' : res.status;
          seen.set(String(got), (seen.get(String(got)) ?? 0) + 1);
          const label = `${route.key} as ${caller.label} on ${target}`;
          if (got !== expected) failures.push(`${label}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          if (typeof expected === 'number' && before !== after) failures.push(`${label}: refused with ${res.status} but the head moved from ${before} to ${after}`);
          if (res.status === 401 && !String(res.headers['www-authenticate']).startsWith('Bearer')) failures.push(`${label}: 401 without WWW-Authenticate: Bearer`);
          if (res.status >= 400 && (typeof res.body?.code !== 'string' || res.body.statusCode !== res.status)) failures.push(`${label}: not the one error shape`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The matrix exercises every outcome, many times.
    expect(['2xx', '403', '404'].map((k) => (seen.get(k) ?? 0) > 20)).toEqual([true, true, true]);
  });

  it('refuses a missing, malformed, unknown, expired or revoked credential on every route with 401, appending nothing', async () => {
    const expired = await t.keys.create({ tenantId: OWN, roles: ['admin'], name: 'expired', expiresAt: new Date(Date.now() - 3_600_000).toISOString() }, new Date(Date.now() - 7_200_000));
    const revoked = await t.createKey({ tenantId: OWN, roles: ['admin'], name: 'revoked' });
    await t.keys.revoke(revoked.keyId, new Date());
    const expiredJwt = await idp.sign({ sub: 'user-1', tenant_id: OWN, roles: ['admin'], exp: Math.floor(Date.now() / 1000) - 3600 });
    const unpublishedJwt = await idp.signWithUnpublishedKey({ sub: 'user-1', tenant_id: OWN, roles: ['admin'], exp: Math.floor(Date.now() / 1000) + 3600 });
    const credentials: Array<[string, Record<string, string>]> = [
      ['no credential', {}],
      ['a malformed header', { Authorization: 'Basic dXNlcjpwYXNz' }],
      ['an empty bearer', { Authorization: 'Bearer ' }],
      ['an unknown API key', { Authorization: 'Bearer llk_0123456789abcdef_unknownunknownunknownunknown' }],
      ['an expired API key', { Authorization: `Bearer ${expired.key}` }],
      ['a revoked API key', { Authorization: `Bearer ${revoked.key}` }],
      ['an expired JWT', { Authorization: `Bearer ${expiredJwt}` }],
      ['a JWT signed with a key the JWKS does not publish', { Authorization: `Bearer ${unpublishedJwt}` }],
    ];
    const failures: string[] = [];
    for (const route of routes) {
      const req = await ROUTES[route.key].prepare(fx, 'unassigned');
      for (const [name, headers] of credentials) {
        const before = await head();
        const res = await send(route.method, req, headers, ROUTES[route.key].stream);
        const after = await head();
        // Liveness needs no credential; a credential sent to it is still checked.
        const expected = route.permission === undefined && name === 'no credential' ? 200 : 401;
        const label = `${route.key} with ${name}`;
        if (res.status !== expected) failures.push(`${label}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        if (res.status === 401 && !String(res.headers['www-authenticate']).startsWith('Bearer')) failures.push(`${label}: no WWW-Authenticate: Bearer`);
        if (res.status === 401 && res.body?.code !== 'UNAUTHENTICATED') failures.push(`${label}: code ${res.body?.code}`);
        if (before !== after) failures.push(`${label}: the head moved from ${before} to ${after}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("lists for a rep only its own and the unassigned leads, never another rep's", async () => {
    const own = (await fx.lead('own')).leadId;
    const unassigned = (await fx.lead('unassigned')).leadId;
    const { leadId: others, position } = await fx.lead('other-rep');
    const rep = callers.find((c) => c.label === 'rep (API key)')!;
    // The matrix above captures hundreds of leads, so walk every page rather than trust the first one to hold these two.
    const items: Array<{ leadId: string; ownerId: string | null }> = [];
    let cursor: string | undefined;
    do {
      const query: Record<string, string> = { limit: '500', minPosition: position, ...(cursor ? { cursor } : {}) };
      const res = await send('get', { path: '/v1/leads', query }, { Authorization: `Bearer ${rep.token}` });
      expect(res.status).toBe(200);
      items.push(...(res.body.items as typeof items));
      cursor = res.body.nextCursor ?? undefined;
    } while (cursor);
    const ids = items.map((i) => i.leadId);
    expect(ids).toEqual(expect.arrayContaining([own, unassigned]));
    expect(ids).not.toContain(others);
    expect(items.every((i) => i.ownerId === null || i.ownerId === REP)).toBe(true);
  });

  it('records the credential as the actor and X-Actor only as onBehalfOf, for API keys and JWTs', async () => {
    const admin = callers.find((c) => c.label === 'admin (JWT)')!;
    const captured = await send('post', { path: '/v1/leads', body: newLead() }, { Authorization: `Bearer ${admin.token}`, 'X-Actor': 'alice@crm' });
    expect(captured.status).toBe(201);
    const history = await send('get', { path: `/v1/leads/${captured.body.leadId}/history` }, { Authorization: `Bearer ${admin.token}` });
    expect(history.body.events[0].metadata).toMatchObject({ actor: `jwt:${idp.issuer}#user-admin`, onBehalfOf: 'alice@crm' });
  });

  it('answers a capture-only key 202 { accepted: true }, whether the person was known or not', async () => {
    const capture = callers.find((c) => c.label === 'capture (API key)')!;
    const body = newLead();
    for (let i = 0; i < 2; i++) {
      const res = await send('post', { path: '/v1/leads', body }, { Authorization: `Bearer ${capture.token}` });
      expect({ status: res.status, body: res.body }).toEqual({ status: 202, body: { accepted: true } });
    }
  });
});

/** What a caller gets: '2xx', 401, 403 or 404, from the role table and the lead's tenant and owner. */
function expectedStatus(route: { key: string; permission?: Permission }, caller: Caller, target: Target, leadBound: boolean): '2xx' | 403 | 404 {
  if (route.permission === undefined) {
    // Liveness: open to all; a credential naming another tenant by header is still refused.
    return !leadBound && target === 'other-tenant' && caller.kind !== 'platform' ? 403 : '2xx';
  }
  const principal = { tenantId: caller.kind === 'platform' ? '*' : OWN, roles: caller.role ? [caller.role] : [], actor: 'x', kind: caller.kind, ownerId: caller.role === 'rep' ? REP : undefined };
  if (!leadBound && target === 'other-tenant' && caller.kind !== 'platform') return 403;
  if (!allows(principal, route.permission)) return 403;
  if (route.key === 'DELETE /v1/admin/api-keys/:keyId') return 404;
  if (!leadBound) return '2xx';
  if (target === 'other-tenant') return 404;
  const scope = ROLE_DEFINITIONS[caller.role!].scope;
  return scope === 'owned' && target === 'other-rep' ? 404 : '2xx';
}

/** `METHOD path` → the access rule of its handler, from the controllers Nest registered. */
function accessRules(t: TestApp): Map<string, RouteAccess> {
  const discovery = t.app.get(DiscoveryService);
  const scanner = new MetadataScanner();
  const rules = new Map<string, RouteAccess>();
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
    if (!controller?.prototype) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, unknown>)[name] as object;
      const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (sub === undefined) continue;
      const rule = (Reflect.getMetadata(ROUTE_ACCESS, handler) ?? Reflect.getMetadata(ROUTE_ACCESS, controller)) as RouteAccess | undefined;
      if (!rule) continue;
      const path = `/${[base, sub].map((p) => p.replace(/^\/|\/$/g, '')).filter(Boolean).join('/')}`;
      rules.set(`${RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number]} ${path}`, rule);
    }
  }
  return rules;
}
