import { DynamicModule, FactoryProvider, Inject, Module, ModuleMetadata, OnApplicationShutdown, OnModuleInit, Provider } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { join } from 'node:path';
import { Clock, ExtensionError, FitScorer, LeadDecisionExtensions, LifecycleConfig, systemClock } from '@lead-lifecycle/domain';
import type { EventStore, KeyStore } from '@lead-lifecycle/eventing';
import { EventingModule, EventingModuleOptions, openKeyStore, PostgresConfig, ProcessorHost, ProcessorWorkerOptions, SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import { AssignLeadHandler } from './commands/assign-lead.handler';
import { BusinessTimeGuard } from './commands/business-time.guard';
import { CaptureLeadHandler } from './commands/capture-lead.handler';
import { ChangeOpportunityStageHandler } from './commands/change-opportunity-stage.handler';
import { DisqualifyLeadHandler } from './commands/disqualify-lead.handler';
import { LeadCommandRunner } from './commands/lead-command.runner';
import { LoseOpportunityHandler } from './commands/lose-opportunity.handler';
import { OpenOpportunityHandler } from './commands/open-opportunity.handler';
import { OpportunityCommandRunner } from './commands/opportunity-command.runner';
import { PromoteToSqlHandler } from './commands/promote-to-sql.handler';
import { RecordEngagementHandler } from './commands/record-engagement.handler';
import { RecycleLeadHandler } from './commands/recycle-lead.handler';
import { AdvanceLeadStageHandler } from './commands/advance-lead-stage.handler';
import { RescoreLeadHandler } from './commands/rescore-lead.handler';
import { WinOpportunityHandler } from './commands/win-opportunity.handler';
import { ForgetLeadHandler } from './commands/forget-lead.handler';
import { EngineConfig } from './config/engine.config';
import { CaptureEnricher, type LeadEnrichmentOptions } from './extensions/capture-enricher';
import { loadLifecycleConfig } from './config/lifecycle-config.loader';
import { createEventStore, EventStoreOptions, withDomainUpcasting } from './infrastructure/create-event-store';
import type { IdempotencyStore } from './infrastructure/idempotency-store';
import { LeadIdentityRegistry } from './infrastructure/lead-identity.registry';
import { SqliteIdempotencyStore } from './infrastructure/sqlite-idempotency-store';
import { LeadRepository, OpportunityRepository } from './infrastructure/repositories';
import { LeadLifecycleOptionsModule } from './lead-lifecycle-options.module';
import { CLOCK, ENGINE_CONFIG, EVENT_STORE, IDEMPOTENCY_STORE, LEAD_DECISION_EXTENSIONS, LIFECYCLE_CONFIG, LIFECYCLE_MODULE_OPTIONS } from './lifecycle.tokens';
import { GetLeadHistoryHandler } from './queries/get-lead-history.handler';
import { VerifyLeadIntegrityHandler } from './queries/verify-lead-integrity.handler';
import { GetLeadHandler } from './queries/get-lead.handler';
import { GetOpportunityHandler } from './queries/get-opportunity.handler';
import { OpportunityLifecycleReaction } from './reactions/opportunity-lifecycle.reaction';

/** What an embedder may set instead of the environment. */
export interface LeadLifecycleModuleOptions {
  /** Defaults to EngineConfig.fromEnv(). */
  readonly engine?: EngineConfig;
  /** Defaults to the built-in rules overridden by the file at engine.LIFECYCLE_CONFIG. */
  readonly lifecycleConfig?: LifecycleConfig;
  /** Defaults to the store named by engine.EVENT_STORE, hash-chained and encrypting personal data. */
  readonly eventStore?: EventStore;
  /** Keys of personal data; defaults to PostgreSQL with `postgres.DATABASE_URL`, else DATA_DIR/keys.sqlite. */
  readonly keyStore?: KeyStore;
  /** The PostgreSQL server the instances share (DATABASE_URL); defaults to PostgresConfig.fromEnv(). */
  readonly postgres?: PostgresConfig;
  /** Answers recorded by Idempotency-Key; defaults to DATA_DIR/idempotency.sqlite. */
  readonly idempotencyStore?: IdempotencyStore;
  readonly clock?: Clock;
  /**
   * Run the durable opportunity reaction on this module's ProcessorHost (default true). Off when another
   * process or the processor worker runs it (OpportunityReactionModule), or for a tool that only writes.
   */
  readonly runReactions?: boolean;
  /**
   * The EventingModule instance (`EventingModule.forRoot`, or `LeadLifecycleModule.eventing(options)`)
   * that provides the store, key store, checkpoint store and processor host. Pass the same object to
   * every module that needs them (projections, relay). Without it, the module builds one from the
   * options above and re-exports it.
   */
  readonly eventing?: DynamicModule;
  /**
   * The host's own scoring code, beside the configured rules (`lifecycleConfig.scoring`). Defaults to none:
   * the built-in rules alone.
   */
  readonly scoring?: LeadScoringOptions;
  /** The host's lookup at capture, recorded as LeadEnriched (LeadEnrichmentOptions). Defaults to none. */
  readonly enrichment?: LeadEnrichmentOptions;
}

/** Scoring code a host plugs in (README, Embedding, Extension points). */
export interface LeadScoringOptions {
  /**
   * Extra fit points for a lead, called once at capture; added to the fit rules' points and recorded with
   * its reasons in the capture's ScoreChanged, so replay never calls it again. Synchronous and pure.
   * A result without finite points or string reasons refuses the capture (ExtensionError, INVALID_CONFIGURATION).
   */
  readonly fit?: FitScorer;
}

/** The decider's extensions from the module options; a scorer that is not a function fails at start. */
export function leadDecisionExtensionsOf(options: LeadLifecycleModuleOptions): LeadDecisionExtensions {
  const fit = options.scoring?.fit;
  if (fit !== undefined && typeof fit !== 'function') throw new ExtensionError('scoring.fit', `must be a function (got ${typeof fit})`);
  return fit ? { fitScorer: fit } : {};
}

/**
 * The options of {@link LeadLifecycleModule.forRootAsync}: Nest's async module shape, the options computed
 * by `useFactory` from the providers `inject` names (exported by `imports`), when the application starts.
 */
export interface LeadLifecycleModuleAsyncOptions {
  /** Modules that export the providers `inject` names (the host's config module). */
  readonly imports?: ModuleMetadata['imports'];
  /** Providers handed to `useFactory`, in order. */
  readonly inject?: FactoryProvider['inject'];
  /**
   * The same options as forRoot (a promise is awaited before the application starts), except `eventing`:
   * an import cannot wait for a factory, so a shared eventing module is given beside the factory.
   */
  readonly useFactory: FactoryProvider<Omit<LeadLifecycleModuleOptions, 'eventing'>>['useFactory'];
  /**
   * The EventingModule instance to share with the projections and the relay: build it with
   * `LeadLifecycleModule.eventingAsync(sameAsyncOptions)` (the same `useFactory`: it then runs once for both). Without
   * it, the module builds one from the factory's options and re-exports it.
   */
  readonly eventing?: DynamicModule;
}

const engines = new WeakMap<LeadLifecycleModuleOptions, EngineConfig>();

/** The options' engine, else the environment's, read once per options object. */
function engineOf(options: LeadLifecycleModuleOptions): EngineConfig {
  if (options.engine) return options.engine;
  let engine = engines.get(options);
  if (!engine) engines.set(options, (engine = EngineConfig.fromEnv()));
  return engine;
}

const handlers = [
  CaptureLeadHandler,
  RecordEngagementHandler,
  RescoreLeadHandler,
  PromoteToSqlHandler,
  AssignLeadHandler,
  DisqualifyLeadHandler,
  RecycleLeadHandler,
  AdvanceLeadStageHandler,
  OpenOpportunityHandler,
  ChangeOpportunityStageHandler,
  WinOpportunityHandler,
  LoseOpportunityHandler,
  ForgetLeadHandler,
  GetLeadHandler,
  GetOpportunityHandler,
  GetLeadHistoryHandler,
  VerifyLeadIntegrityHandler,
];

/** What the engine's eventing module takes beside the options: the processor worker, the store's polling. */
export interface EngineEventingExtras {
  readonly worker?: ProcessorWorkerOptions;
  readonly store?: EventStoreOptions;
}

function eventingOptionsOf(options: LeadLifecycleModuleOptions, extra: EngineEventingExtras): EventingModuleOptions {
  return {
    // With DATABASE_URL every instance (and its processor worker) shares the keys in PostgreSQL, so an
    // erasure on one destroys them for all; its migrations run before the module serves.
    keyStore: () =>
      options.keyStore ?? openKeyStore(engineOf(options).DATA_DIR, options.postgres ?? PostgresConfig.fromEnv(), `lead-lifecycle keys ${process.pid}`),
    eventStore: (keys: KeyStore) => (options.eventStore ? withDomainUpcasting(options.eventStore) : createEventStore(engineOf(options), keys, extra.store)),
    checkpointStore: () => new SqliteCheckpointStore(join(engineOf(options).DATA_DIR, 'read-models.sqlite')),
    worker: extra.worker,
  };
}

@Module({})
export class LeadLifecycleModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(ProcessorHost) private readonly host: ProcessorHost,
    @Inject(OpportunityLifecycleReaction) private readonly reaction: OpportunityLifecycleReaction,
    @Inject(LIFECYCLE_MODULE_OPTIONS) private readonly options: LeadLifecycleModuleOptions,
    @Inject(IDEMPOTENCY_STORE) private readonly idempotency: IdempotencyStore,
  ) {}

  /**
   * The lifecycle engine as a Nest module: command and query handlers on @nestjs/cqrs buses, the event
   * store, and the processors that follow the store's global order.
   */
  static forRoot(options: LeadLifecycleModuleOptions = {}): DynamicModule {
    const eventing = options.eventing ?? LeadLifecycleModule.eventing(options);
    return LeadLifecycleModule.build([eventing], eventing, [{ provide: LIFECYCLE_MODULE_OPTIONS, useValue: options }]);
  }

  /**
   * The same module with its options from a factory over the host's own providers, Nest's standard async
   * shape; it wires the same services as forRoot:
   *
   * ```ts
   * const async = { imports: [HostConfigModule], inject: [HostConfig], useFactory: (config: HostConfig) => ({ engine: config.engine }) };
   * const eventing = LeadLifecycleModule.eventingAsync(async);
   * imports: [LeadLifecycleModule.forRootAsync({ ...async, eventing }), ProjectionsModule.forRoot({ eventing, ... })]
   * ```
   *
   * The factory runs once per application for both modules: they share the options provider of one
   * `useFactory` function.
   */
  static forRootAsync(async: LeadLifecycleModuleAsyncOptions): DynamicModule {
    const eventing = async.eventing ?? LeadLifecycleModule.eventingAsync(async);
    return LeadLifecycleModule.build([LeadLifecycleOptionsModule.of(async), eventing], eventing, []);
  }

  /** The module from its imports (which include `eventing`) and the provider of its options, if not imported. */
  private static build(imports: NonNullable<ModuleMetadata['imports']>, eventing: DynamicModule, optionsProvider: Provider[]): DynamicModule {
    const providers: Provider[] = [
      ...optionsProvider,
      { provide: ENGINE_CONFIG, useFactory: (options: LeadLifecycleModuleOptions) => engineOf(options), inject: [LIFECYCLE_MODULE_OPTIONS] },
      {
        provide: LIFECYCLE_CONFIG,
        useFactory: (options: LeadLifecycleModuleOptions, engine: EngineConfig) => options.lifecycleConfig ?? loadLifecycleConfig(engine.LIFECYCLE_CONFIG),
        inject: [LIFECYCLE_MODULE_OPTIONS, ENGINE_CONFIG],
      },
      {
        provide: IDEMPOTENCY_STORE,
        useFactory: (options: LeadLifecycleModuleOptions, engine: EngineConfig) =>
          options.idempotencyStore ?? new SqliteIdempotencyStore(join(engine.DATA_DIR, 'idempotency.sqlite'), { durability: engine.SQLITE_DURABILITY }),
        inject: [LIFECYCLE_MODULE_OPTIONS, ENGINE_CONFIG],
      },
      { provide: CLOCK, useFactory: (options: LeadLifecycleModuleOptions) => options.clock ?? systemClock, inject: [LIFECYCLE_MODULE_OPTIONS] },
      { provide: LEAD_DECISION_EXTENSIONS, useFactory: leadDecisionExtensionsOf, inject: [LIFECYCLE_MODULE_OPTIONS] },
      {
        provide: CaptureEnricher,
        useFactory: (options: LeadLifecycleModuleOptions, clock: Clock) => new CaptureEnricher(options.enrichment, clock),
        inject: [LIFECYCLE_MODULE_OPTIONS, CLOCK],
      },
      { provide: LeadIdentityRegistry, useFactory: (store: EventStore) => new LeadIdentityRegistry(store), inject: [EVENT_STORE] },
      {
        provide: OpportunityLifecycleReaction,
        useFactory: (store: EventStore, config: LifecycleConfig, leads: LeadRepository, opportunities: OpportunityRepository) =>
          new OpportunityLifecycleReaction(store, config, leads, opportunities),
        inject: [EVENT_STORE, LIFECYCLE_CONFIG, LeadRepository, OpportunityRepository],
      },
      LeadRepository,
      OpportunityRepository,
      BusinessTimeGuard,
      LeadCommandRunner,
      OpportunityCommandRunner,
      ...handlers,
    ];
    return {
      module: LeadLifecycleModule,
      imports: [...imports, CqrsModule.forRoot()],
      providers,
      // The eventing module is re-exported, so a module importing this one sees the store and the host.
      exports: [ENGINE_CONFIG, LIFECYCLE_CONFIG, IDEMPOTENCY_STORE, CLOCK, LeadRepository, OpportunityRepository, CqrsModule, eventing],
    };
  }

  /**
   * The EventingModule the engine works with, from the same options as forRoot: the store named by
   * engine.EVENT_STORE, hash-chained, encrypting personal data and upcasting with the domain's
   * upcasters (or `eventStore`, upcast), keys in PostgreSQL with DATABASE_URL, else DATA_DIR/keys.sqlite
   * (or `keyStore`), checkpoints and
   * read models in DATA_DIR/read-models.sqlite. Build it once and hand it to every module.
   */
  static eventing(options: LeadLifecycleModuleOptions = {}, extra: EngineEventingExtras = {}): DynamicModule {
    return EventingModule.forRoot(eventingOptionsOf(options, extra));
  }

  /**
   * The EventingModule of forRootAsync's options, built when the application starts from the same
   * factory (which runs once for this module and the lifecycle module given the same `useFactory`).
   */
  static eventingAsync(async: LeadLifecycleModuleAsyncOptions, extra: EngineEventingExtras = {}): DynamicModule {
    return EventingModule.forRootAsync({
      imports: [LeadLifecycleOptionsModule.of(async)],
      inject: [LIFECYCLE_MODULE_OPTIONS],
      useFactory: (options: LeadLifecycleModuleOptions) => eventingOptionsOf(options, extra),
    });
  }

  onModuleInit(): void {
    if (this.options.runReactions !== false) this.host.register(this.reaction, { poisonPolicy: 'park' });
  }

  onApplicationShutdown(): void {
    this.idempotency.close();
  }
}
