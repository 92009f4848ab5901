import { DynamicModule, FactoryProvider, Module, ModuleMetadata, Provider } from '@nestjs/common';
import type { EventStore } from '../event-store.port';
import { CHECKPOINT_STORE, EVENT_STORE, KEY_STORE } from '../eventing.tokens';
import type { KeyStore } from '../privacy/key-store';
import type { CheckpointStore } from '../processing/checkpoint-store';
import { ProcessorHost } from '../processing/processor-host';
import { ProcessorWorker, ProcessorWorkerOptions } from '../worker/processor-worker';
import { PROCESSOR_WORKER } from './eventing.nest-tokens';
import { Processors } from './processors';

/** A part given as it is, or as a factory the module calls once, when the first provider needs it. */
export type Provided<T, A extends unknown[] = []> = T | ((...args: A) => T);

export interface EventingModuleOptions {
  /** Keys of personal data (a promise when opening it takes a server: the application starts once it is open). */
  readonly keyStore: Provided<KeyStore | Promise<KeyStore>>;
  /** The store everyone works with (the domain's upcasters applied: see createEventStore in libs/lifecycle). */
  readonly eventStore: Provided<EventStore, [KeyStore]>;
  /** Durable positions of the processors of this process (or thread). */
  readonly checkpointStore: Provided<CheckpointStore>;
  /**
   * Processors that run in a worker thread with their own connections (projections, relay, the durable
   * reaction); their statuses reach this thread through {@link Processors}. Without it, every processor
   * runs on this thread, registered with the ProcessorHost.
   */
  readonly worker?: ProcessorWorkerOptions;
}

/** The options of {@link EventingModule.forRootAsync}: Nest's async module shape. */
export interface EventingModuleAsyncOptions {
  /** Modules whose exported providers `inject` names. */
  readonly imports?: ModuleMetadata['imports'];
  /** Providers handed to `useFactory`, in order. */
  readonly inject?: FactoryProvider['inject'];
  /** The same options as forRoot, from the injected providers; the application starts once a promise settles. */
  readonly useFactory: FactoryProvider<EventingModuleOptions>['useFactory'];
}

/** The resolved options, inside one EventingModule instance. */
const EVENTING_MODULE_OPTIONS = Symbol('EVENTING_MODULE_OPTIONS');

function resolve<T, A extends unknown[]>(provided: Provided<T, A>, ...args: A): T {
  return typeof provided === 'function' ? (provided as (...a: A) => T)(...args) : provided;
}

/**
 * The event store, key store, checkpoint store and processor host as a Nest module. Not global: build
 * one instance with `forRoot` and hand that same object to every module that needs these parts
 * (`LeadLifecycleModule.forRoot({ eventing })`, `ProjectionsModule.forRoot({ eventing })`,
 * `KafkaRelayModule.forRoot({ eventing })`); Nest keeps one module per object, so they share one store.
 */
@Module({})
export class EventingModule {
  static forRoot(options: EventingModuleOptions): DynamicModule {
    return EventingModule.build([], { provide: EVENTING_MODULE_OPTIONS, useValue: options });
  }

  /**
   * The same module with its options from a factory over other providers (a host's config service):
   * `EventingModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory: (config) => ({ ... }) })`.
   * Share the returned object the same way as forRoot's.
   */
  static forRootAsync(options: EventingModuleAsyncOptions): DynamicModule {
    return EventingModule.build(options.imports ?? [], { provide: EVENTING_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] });
  }

  private static build(imports: NonNullable<ModuleMetadata['imports']>, optionsProvider: Provider): DynamicModule {
    const providers: Provider[] = [
      optionsProvider,
      { provide: KEY_STORE, useFactory: (options: EventingModuleOptions) => resolve(options.keyStore), inject: [EVENTING_MODULE_OPTIONS] },
      {
        provide: EVENT_STORE,
        useFactory: (options: EventingModuleOptions, keys: KeyStore) => resolve(options.eventStore, keys),
        inject: [EVENTING_MODULE_OPTIONS, KEY_STORE],
      },
      { provide: CHECKPOINT_STORE, useFactory: (options: EventingModuleOptions) => resolve(options.checkpointStore), inject: [EVENTING_MODULE_OPTIONS] },
      ProcessorHost,
      {
        provide: PROCESSOR_WORKER,
        useFactory: (options: EventingModuleOptions) => (options.worker ? new ProcessorWorker(options.worker) : null),
        inject: [EVENTING_MODULE_OPTIONS],
      },
      Processors,
    ];
    return {
      module: EventingModule,
      imports,
      providers,
      exports: [KEY_STORE, EVENT_STORE, CHECKPOINT_STORE, ProcessorHost, PROCESSOR_WORKER, Processors],
    };
  }
}
