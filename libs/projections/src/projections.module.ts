import { DynamicModule, FactoryProvider, Module, ModuleMetadata, Provider } from '@nestjs/common';
import { Clock, systemClock } from '@lead-lifecycle/domain';
import { CLOCK, LeaseConfig, PostgresConfig } from '@lead-lifecycle/eventing';
import { GetFunnelHandler, GetKpisHandler, GetTimeInStageHandler, ListLeadsHandler } from './projection-queries';
import { GetProjectionStatusHandler } from './projection-status';
import { ProjectionsConfig } from './projections.config';
import { PROJECTIONS_CONFIG, PROJECTIONS_FLEET, PROJECTIONS_MODULE_OPTIONS } from './projections.tokens';
import { ReadModels, ReadModelsFleet } from './read-models';

export interface ProjectionsModuleOptions {
  /**
   * The EventingModule instance the application built (`LeadLifecycleModule.eventing(...)` or
   * `EventingModule.forRoot(...)`), the same object the lifecycle module is given: its checkpoint store
   * holds the read models, its processor host runs the projections, or, when it has a worker, the
   * worker runs them and this module only reads.
   */
  readonly eventing: DynamicModule;
  /** Defaults to ProjectionsConfig.fromEnv(). */
  readonly config?: ProjectionsConfig;
  /** For lag and time-in-stage answers; defaults to the system clock. */
  readonly clock?: Clock;
  /** The shared server of READ_MODELS=postgres (DATABASE_URL); defaults to PostgresConfig.fromEnv(). */
  readonly postgres?: PostgresConfig;
  /** This instance's lease settings (INSTANCE_ID, LEASE_TTL_MS) for the projections' leases; defaults to LeaseConfig.fromEnv(). */
  readonly lease?: LeaseConfig;
}

/**
 * The options of {@link ProjectionsModule.forRootAsync}: Nest's async module shape, as
 * LeadLifecycleModule.forRootAsync's, the options computed by `useFactory` from the providers `inject`
 * names (exported by `imports`) when the application starts.
 */
export interface ProjectionsModuleAsyncOptions {
  /** Modules that export the providers `inject` names (the host's config module). */
  readonly imports?: ModuleMetadata['imports'];
  /** Providers handed to `useFactory`, in order. */
  readonly inject?: FactoryProvider['inject'];
  /** The same options as forRoot but `eventing` (a promise is awaited before the application starts). */
  readonly useFactory: FactoryProvider<Omit<ProjectionsModuleOptions, 'eventing'>>['useFactory'];
  /**
   * The EventingModule instance the application built, as for forRoot: an import cannot wait for a
   * factory, so it is given beside it (`LeadLifecycleModule.eventingAsync(...)` shares the lifecycle's).
   */
  readonly eventing: DynamicModule;
}

/** The options but the eventing module: what the factory returns. */
type FactoryOptions = Omit<ProjectionsModuleOptions, 'eventing'>;

/** The options as the providers read them, once known: the configuration and the server resolved. */
type ResolvedOptions = FactoryOptions & { readonly config: ProjectionsConfig; readonly postgres: PostgresConfig };

/** The options' PostgreSQL server, checked against the configured read-model store. */
function postgresOf(options: FactoryOptions, config: ProjectionsConfig): PostgresConfig {
  const postgres = options.postgres ?? PostgresConfig.fromEnv();
  config.assertStoreReachable(postgres.DATABASE_URL);
  return postgres;
}

/** The factory's options, checked when the application starts: `eventing` among them, or an unreachable store, fails it. */
async function checked(made: FactoryOptions | Promise<FactoryOptions>): Promise<ResolvedOptions> {
  const options = await made;
  if ((options as { eventing?: unknown }).eventing !== undefined) {
    throw new Error('ProjectionsModule.forRootAsync: the factory cannot return `eventing`; pass it beside useFactory');
  }
  const config = options.config ?? ProjectionsConfig.fromEnv();
  return { ...options, config, postgres: postgresOf(options, config) };
}

/**
 * The funnel, scoring and KPI read models, fed from the store's global order with checkpoints kept
 * in the same transaction as the rows (SQLite by default; PostgreSQL with READ_MODELS=postgres), and their queries.
 */
@Module({})
export class ProjectionsModule {
  static forRoot(options: ProjectionsModuleOptions): DynamicModule {
    const config = options.config ?? ProjectionsConfig.fromEnv();
    // Here, before the application is built: a refused setting is a plain error, not a failed boot.
    const postgres = postgresOf(options, config);
    return ProjectionsModule.build([options.eventing], [{ provide: PROJECTIONS_MODULE_OPTIONS, useValue: { ...options, config, postgres } }]);
  }

  /**
   * The same module with its options from a factory over the host's own providers, Nest's standard async
   * shape; it wires the same services as forRoot:
   *
   * ```ts
   * const eventing = LeadLifecycleModule.eventingAsync(lifecycleAsync);
   * imports: [
   *   LeadLifecycleModule.forRootAsync({ ...lifecycleAsync, eventing }),
   *   ProjectionsModule.forRootAsync({ eventing, imports: [HostConfigModule], inject: [HostConfig], useFactory: (c: HostConfig) => ({ config: c.projections }) }),
   * ]
   * ```
   *
   * A refused setting (READ_MODELS=postgres without DATABASE_URL) fails the application's start.
   */
  static forRootAsync(async: ProjectionsModuleAsyncOptions): DynamicModule {
    const options: FactoryProvider<Promise<ResolvedOptions>> = {
      provide: PROJECTIONS_MODULE_OPTIONS,
      useFactory: (...args: unknown[]) => checked(async.useFactory(...args)),
      inject: async.inject ?? [],
    };
    return ProjectionsModule.build([async.eventing, ...(async.imports ?? [])], [options]);
  }

  /** The module from its imports (the eventing module first) and the provider of its resolved options. */
  private static build(imports: NonNullable<ModuleMetadata['imports']>, optionsProvider: Provider[]): DynamicModule {
    return {
      module: ProjectionsModule,
      imports,
      providers: [
        ...optionsProvider,
        { provide: PROJECTIONS_CONFIG, useFactory: (options: ResolvedOptions) => options.config, inject: [PROJECTIONS_MODULE_OPTIONS] },
        { provide: CLOCK, useFactory: (options: ResolvedOptions): Clock => options.clock ?? systemClock, inject: [PROJECTIONS_MODULE_OPTIONS] },
        {
          provide: PROJECTIONS_FLEET,
          useFactory: (options: ResolvedOptions): ReadModelsFleet => ({ postgres: options.postgres, lease: options.lease ?? LeaseConfig.fromEnv() }),
          inject: [PROJECTIONS_MODULE_OPTIONS],
        },
        ReadModels,
        GetFunnelHandler,
        GetTimeInStageHandler,
        ListLeadsHandler,
        GetKpisHandler,
        GetProjectionStatusHandler,
      ],
      exports: [ReadModels, PROJECTIONS_CONFIG],
    };
  }
}
