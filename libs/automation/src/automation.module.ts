import { DynamicModule, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { type Clock, ExtensionError, type HostRoutingStrategy, type LifecycleConfig, systemClock } from '@lead-lifecycle/domain';
import {
  type DeadlineSweeper,
  EVENT_STORE,
  type EventStore,
  FleetLeases,
  type Lease,
  LeaseConfig,
  PostgresConfig,
  ProcessorHost,
  SweepScheduler,
} from '@lead-lifecycle/eventing';
import type { AutomationContext, AutomationRuntime } from './automation-part';
import { AUTOMATION_PARTS } from './automation-parts';
import { AUTOMATION_CONTEXT, AUTOMATION_SWEEPS } from './automation.tokens';

/** Options of {@link AutomationModule.forRoot}. */
export interface AutomationModuleOptions {
  /** The EventingModule instance of this process (the same object the other modules get). */
  readonly eventing: DynamicModule;
  readonly lifecycleConfig: LifecycleConfig;
  /** Where the parts keep their state (the engine's DATA_DIR). */
  readonly dataDir: string;
  /** Defaults to the system clock; tests pass a manual one and call `sweepNow()` on AUTOMATION_SWEEPS. */
  readonly clock?: Clock;
  /**
   * Whether this process runs the durable reactions and sweepers (the processor worker, or the API with
   * PROCESSORS_IN=main), or only answers the automation's reads (the API beside a worker).
   */
  readonly runReactions: boolean;
  /** How often due deadlines are swept; default 1,000 ms. */
  readonly sweepIntervalMs?: number;
  /** Defaults to PostgresConfig.fromEnv(): with DATABASE_URL the reactions and sweepers are leased. */
  readonly postgres?: PostgresConfig;
  /** Defaults to LeaseConfig.fromEnv(). */
  readonly lease?: LeaseConfig;
  /** Routing code a host plugs in; defaults to none: the configured strategies alone. */
  readonly routing?: AutomationRoutingOptions;
}

/** Routing code a host plugs in (README, Embedding, Extension points). */
export interface AutomationRoutingOptions {
  /**
   * The host's choice of member at every team pick, recorded as the LeadAssigned's owner (replay and a
   * rerun of the reaction never call it again). Synchronous and pure. An answer that throws or names no
   * eligible member falls back to the team's configured strategy, with a warning in the log. It runs in
   * the process that runs the reactions: a function cannot cross into the API's processor worker thread.
   */
  readonly strategy?: HostRoutingStrategy;
}

/** The host's routing strategy from the options; one that is not a function fails at start (ExtensionError). */
export function hostRoutingStrategyOf(options: Pick<AutomationModuleOptions, 'routing'>): HostRoutingStrategy | undefined {
  const strategy = options.routing?.strategy;
  if (strategy !== undefined && typeof strategy !== 'function') throw new ExtensionError('routing.strategy', `must be a function (got ${typeof strategy})`);
  return strategy;
}

const RUNTIMES = Symbol('AUTOMATION_RUNTIMES');
const AUTOMATION_LEASES = Symbol('AUTOMATION_LEASES');

/**
 * A part's sweeper that acts only while this instance holds the part's reaction lease: the deadlines
 * it acts on are in the state that reaction keeps here, which is current only where the reaction runs.
 */
function leasedSweeper(sweeper: DeadlineSweeper, lease: Lease): DeadlineSweeper {
  return { name: sweeper.name, sweep: (now) => (lease.held() ? sweeper.sweep(now) : Promise.resolve(0)) };
}

/**
 * Routing, response SLAs, aging and score decay as durable reactions: they follow the store's global
 * order with their own checkpoints and act on time through deadline sweepers driven by the clock.
 *
 * In a fleet (DATABASE_URL) each reaction runs on one instance at a time, under a lease named after it,
 * and its part's sweepers act only where that lease is held. Why leased although their appends are
 * idempotent (ids derived from the cause): each keeps its state in a file of its own instance (routing's
 * round-robin cursor and away periods, the SLA tracks, the aging deadlines), so two instances would
 * decide from two different states, and routing could pick two different members for one lead. Their
 * checkpoints stay in that file with the state (one transaction): a new holder resumes from its own
 * file, re-deciding what it had not seen, and the derived event ids make those appends replays. The
 * opportunity reaction is not leased: it keeps no state, decides on the stream as stored and appends
 * at the expected revision, so two instances running it conflict and retry, never write twice.
 */
@Module({})
export class AutomationModule implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly host: ProcessorHost,
    @Inject(AUTOMATION_SWEEPS) private readonly sweeps: SweepScheduler,
    @Inject(RUNTIMES) private readonly runtimes: readonly AutomationRuntime[],
    @Inject(AUTOMATION_LEASES) private readonly leases: FleetLeases | null,
  ) {}

  static forRoot(options: AutomationModuleOptions): DynamicModule {
    const queries = AUTOMATION_PARTS.flatMap((part) => part.queries ?? []);
    return {
      module: AutomationModule,
      imports: [options.eventing],
      providers: [
        {
          provide: AUTOMATION_CONTEXT,
          inject: [EVENT_STORE],
          useFactory: (store: EventStore): AutomationContext => ({
            store,
            clock: options.clock ?? systemClock,
            lifecycleConfig: options.lifecycleConfig,
            dataDir: options.dataDir,
            routingStrategy: hostRoutingStrategyOf(options),
          }),
        },
        {
          provide: RUNTIMES,
          inject: [AUTOMATION_CONTEXT],
          useFactory: (context: AutomationContext) => (options.runReactions ? AUTOMATION_PARTS.map((part) => part.runtime(context)) : []),
        },
        {
          provide: AUTOMATION_SWEEPS,
          inject: [AUTOMATION_CONTEXT],
          useFactory: (context: AutomationContext) => new SweepScheduler(context.clock, { intervalMs: options.sweepIntervalMs ?? 1_000 }),
        },
        {
          provide: AUTOMATION_LEASES,
          useFactory: () =>
            options.runReactions ? FleetLeases.open(options.postgres ?? PostgresConfig.fromEnv(), options.lease ?? LeaseConfig.fromEnv()) : null,
        },
        ...queries,
      ],
      exports: [AUTOMATION_CONTEXT, AUTOMATION_SWEEPS, ...queries],
    };
  }

  onModuleInit(): void {
    for (const runtime of this.runtimes) {
      const leases = runtime.processors.map(({ processor, options }) => {
        const lease = this.leases?.lease(processor.name);
        this.host.register(processor, { ...options, ...(lease ? { lease } : {}) });
        return lease;
      });
      const lease = leases[0];
      for (const sweeper of runtime.sweepers) this.sweeps.register(lease && this.leases?.shared ? leasedSweeper(sweeper, lease) : sweeper);
    }
  }

  onApplicationBootstrap(): void {
    this.sweeps.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeps.stop();
    // Released before the pool closes, so a standby takes the reactions over at once.
    for (const runtime of this.runtimes) for (const { processor } of runtime.processors) await this.host.runner(processor.name)?.stop();
    await this.leases?.close();
    for (const runtime of this.runtimes) runtime.close?.();
  }
}
