import Router from 'find-my-way';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { RouteInfo, RouteLookup, RouteTable } from './route-table';

/** How the Fastify router matches; the table matches the same way (Express's defaults: case-insensitive, trailing slash ignored). */
export const FASTIFY_ROUTER_OPTIONS = {
  caseSensitive: false,
  ignoreTrailingSlash: true,
  // Express has no limit: a long id reaches the ParseUUIDPipe (400) rather than the router's 414.
  maxParamLength: 65_535,
} as const;

const TABLES = new WeakMap<object, FastifyRouteTable>();

/**
 * The routes of a Fastify app. Fastify lists no routes and answers a path it serves with another
 * method as a 404, so this table records each route as it is added (`onRoute`) into a router of its
 * own: find-my-way, the router Fastify itself uses, with the same options, so both agree on a match.
 */
export class FastifyRouteTable implements RouteTable {
  private readonly registered: RouteInfo[] = [];
  private readonly router = Router(FASTIFY_ROUTER_OPTIONS);
  private readonly methods = new Set<string>();

  private constructor() {}

  /** Starts recording the routes of `instance`; before Nest registers its controllers (app.init). */
  static attach(instance: FastifyInstance): FastifyRouteTable {
    const table = new FastifyRouteTable();
    TABLES.set(instance, table);
    instance.addHook('onRoute', (route: RouteOptions) => {
      for (const method of Array.isArray(route.method) ? route.method : [route.method]) table.add(method.toUpperCase(), route.url);
    });
    return table;
  }

  /** The table {@link attach} made for `instance`. */
  static of(instance: unknown): FastifyRouteTable {
    const table = typeof instance === 'object' && instance !== null ? TABLES.get(instance) : undefined;
    if (!table) throw new Error('this Fastify instance has no route table: create the app with createApp()');
    return table;
  }

  routes(): RouteInfo[] {
    const gets = new Set(this.registered.filter((r) => r.method === 'GET').map((r) => r.path));
    return this.registered.filter((r) => !(r.method === 'HEAD' && gets.has(r.path)));
  }

  lookup(method: string, path: string): RouteLookup {
    const wanted = method.toUpperCase();
    if (this.serves(wanted, path) || (wanted === 'HEAD' && this.serves('GET', path))) return { kind: 'served' };
    const allowed = new Set([...this.methods].filter((m) => this.serves(m, path)));
    if (!allowed.size) return { kind: 'unknown' };
    if (allowed.has('GET')) allowed.add('HEAD');
    return { kind: 'method-not-allowed', allow: [...allowed].sort() };
  }

  private add(method: string, path: string): void {
    if (this.registered.some((r) => r.method === method && r.path === path)) return;
    this.registered.push({ method, path });
    this.methods.add(method);
    this.router.on(method as Router.HTTPMethod, path, () => undefined);
  }

  private serves(method: string, path: string): boolean {
    return this.methods.has(method) && this.router.find(method as Router.HTTPMethod, path) !== null;
  }
}
