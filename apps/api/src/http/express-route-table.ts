import { invalidInput } from './edge-http.exception';
import type { RouteInfo, RouteLookup, RouteTable } from './route-table';

/** What the router holds: Express 5's `router.stack` layers, of which those with a `route` are routes. */
interface RouterLayer {
  readonly route?: { readonly path: string | string[]; readonly methods: Readonly<Record<string, boolean>> };
  match(path: string): boolean;
}

/** The routes of an Express app, read from its router's layers at each call (Nest fills them at init). */
export class ExpressRouteTable implements RouteTable {
  constructor(private readonly stack: () => readonly RouterLayer[]) {}

  static of(instance: unknown): ExpressRouteTable {
    const express = instance as { router: { stack: RouterLayer[] } };
    return new ExpressRouteTable(() => express.router.stack);
  }

  routes(): RouteInfo[] {
    return this.stack().flatMap((layer) => {
      if (!layer.route) return [];
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      const methods = Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m] && m !== '_all');
      return paths.flatMap((path) => methods.map((method) => ({ method: method.toUpperCase(), path })));
    });
  }

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
