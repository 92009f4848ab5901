import type { INestApplication } from '@nestjs/common';
import { invalidInput } from './edge-http.exception';

/** What the router holds: Express 5's `router.stack` layers, of which those with a `route` are routes. */
interface RouterLayer {
  readonly route?: { readonly path: string | string[]; readonly methods: Readonly<Record<string, boolean>> };
  match(path: string): boolean;
}

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
 * The routes as the Express router holds them once Nest has registered its controllers, so a new
 * controller or route is known here without a list to keep. Matching uses the router's own layers, so
 * it agrees with the router on parameters, trailing slashes and case.
 */
export class RouteTable {
  constructor(private readonly stack: () => readonly RouterLayer[]) {}

  static of(app: INestApplication): RouteTable {
    const express = app.getHttpAdapter().getInstance() as { router: { stack: RouterLayer[] } };
    return new RouteTable(() => express.router.stack);
  }

  /** Every route, in registration order; GET implies HEAD, which is not listed. */
  routes(): RouteInfo[] {
    return this.stack().flatMap((layer) => {
      if (!layer.route) return [];
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      const methods = Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m] && m !== '_all');
      return paths.flatMap((path) => methods.map((method) => ({ method: method.toUpperCase(), path })));
    });
  }

  /**
   * Whether a route serves `method` at `path`; if routes match the path but none serves the method,
   * the methods they do serve (for the Allow header). A path that cannot be percent-decoded is a 400.
   */
  lookup(method: string, path: string): RouteLookup {
    const allowed = new Set<string>();
    const wanted = method.toLowerCase();
    for (const layer of this.stack()) {
      if (!layer.route || !matches(layer, path)) continue;
      const methods = layer.route.methods;
      if (methods._all || methods[wanted] || (wanted === 'head' && methods.get)) return { kind: 'served' };
      for (const m of Object.keys(methods)) if (methods[m]) allowed.add(m.toUpperCase());
    }
    if (!allowed.size) return { kind: 'unknown' };
    if (allowed.has('GET')) allowed.add('HEAD');
    return { kind: 'method-not-allowed', allow: [...allowed].sort() };
  }
}

function matches(layer: RouterLayer, path: string): boolean {
  try {
    return layer.match(path);
  } catch (error) {
    // The router decodes parameters while matching; "%E0%A4" decodes to nothing.
    if (error instanceof URIError) throw invalidInput('path', 'a path segment is not valid percent-encoding');
    throw error;
  }
}
