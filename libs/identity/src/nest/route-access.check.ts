import { Injectable, OnModuleInit, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ROUTE_ACCESS } from './route-access.decorator';

/**
 * Refuses to start an application with a route that declares no access rule: the guard would refuse
 * it at every request anyway, and a forgotten `@Requires` is a bug better found at start-up.
 */
@Injectable()
export class RouteAccessCheck implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const missing = this.routesWithoutAccessRule();
    if (missing.length) {
      throw new Error(`routes without @Requires(permission) or @Public(): ${missing.join(', ')}`);
    }
  }

  /** `Controller.method (VERB path)` of every route handler that declares no access rule. */
  routesWithoutAccessRule(): string[] {
    const missing: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller?.prototype) continue;
      for (const name of this.scanner.getAllMethodNames(controller.prototype as object)) {
        const handler = (controller.prototype as Record<string, unknown>)[name] as object;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        if (this.reflector.getAllAndOverride(ROUTE_ACCESS, [handler as () => void, controller])) continue;
        const verb = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod] ?? '?';
        missing.push(`${controller.name}.${name} (${verb} ${String(Reflect.getMetadata(PATH_METADATA, controller) ?? '')}/${String(Reflect.getMetadata(PATH_METADATA, handler))})`);
      }
    }
    return missing;
  }
}
