import { type DynamicModule, Module } from '@nestjs/common';
import type { LeadLifecycleModuleAsyncOptions, LeadLifecycleModuleOptions } from './lead-lifecycle.module';
import { LIFECYCLE_MODULE_OPTIONS } from './lifecycle.tokens';

/**
 * Provides the engine's options (LIFECYCLE_MODULE_OPTIONS) from forRootAsync's factory, for the lifecycle
 * module and its eventing module alike. One instance per factory function, so that forRootAsync and
 * eventingAsync given the same factory (the same options object, or a spread copy of it) share one
 * options object: the factory runs once however many modules read it (Nest keeps one module per
 * DynamicModule object).
 */
@Module({})
export class LeadLifecycleOptionsModule {
  private static readonly instances = new WeakMap<LeadLifecycleModuleAsyncOptions['useFactory'], DynamicModule>();

  static of(async: LeadLifecycleModuleAsyncOptions): DynamicModule {
    let module = LeadLifecycleOptionsModule.instances.get(async.useFactory);
    if (!module) {
      module = {
        module: LeadLifecycleOptionsModule,
        imports: async.imports ?? [],
        providers: [{ provide: LIFECYCLE_MODULE_OPTIONS, useFactory: (...args: unknown[]) => checked(async.useFactory(...args)), inject: async.inject ?? [] }],
        exports: [LIFECYCLE_MODULE_OPTIONS],
      };
      LeadLifecycleOptionsModule.instances.set(async.useFactory, module);
    }
    return module;
  }
}

/** The factory's options; an `eventing` among them fails the start, since it could not be imported. */
async function checked(made: LeadLifecycleModuleOptions | Promise<LeadLifecycleModuleOptions>): Promise<LeadLifecycleModuleOptions> {
  const options = await made;
  if ((options as { eventing?: unknown }).eventing !== undefined) {
    throw new Error('LeadLifecycleModule.forRootAsync: the factory cannot return `eventing`; pass LeadLifecycleModule.eventingAsync(...) beside useFactory');
  }
  return options;
}
