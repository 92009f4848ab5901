import type { INestApplication } from '@nestjs/common';
import { ExpressRouteTable } from './express-route-table';
import { FastifyRouteTable } from './fastify-route-table';

/** A route the application serves: upper-case method and the path as registered (`/v1/leads/:id`). */
export interface RouteInfo {
  readonly method: string;
  readonly path: string;
}

export type RouteLookup =
  | { readonly kind: 'served' }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'unknown' };

/**
 * The routes as the HTTP server's router holds them once Nest has registered its controllers, so a new
 * controller or route is known here without a list to keep, and matching agrees with that router on
 * parameters, trailing slashes and case.
 */
export interface RouteTable {
  /** Every route, in registration order; GET implies HEAD, which is not listed. */
  routes(): RouteInfo[];
  /**
   * Whether a route serves `method` at `path`; if routes match the path but none serves the method,
   * the methods they do serve (for the Allow header). A path that cannot be percent-decoded is a 400.
   */
  lookup(method: string, path: string): RouteLookup;
}

export const RouteTable = {
  /** The table of the app's router: Express's own layers, or on Fastify the table createApp attached. */
  of(app: INestApplication): RouteTable {
    const adapter = app.getHttpAdapter();
    return adapter.getType() === 'fastify' ? FastifyRouteTable.of(adapter.getInstance()) : ExpressRouteTable.of(adapter.getInstance());
  },
};
