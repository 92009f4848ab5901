import { DynamicModule, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { type Clock, type LifecycleConfig, systemClock } from '@lead-lifecycle/domain';
import { EVENT_STORE, type EventStore, ProcessorHost, SweepScheduler } from '@lead-lifecycle/eventing';
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
}

const RUNTIMES = Symbol('AUTOMATION_RUNTIMES');

/**
 * Routing, response SLAs, aging and score decay as durable reactions: they follow the store's global
 * order with their own checkpoints and act on time through deadline sweepers driven by the clock.
 */
@Module({})
export class AutomationModule implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly host: ProcessorHost,
    @Inject(AUTOMATION_SWEEPS) private readonly sweeps: SweepScheduler,
    @Inject(RUNTIMES) private readonly runtimes: readonly AutomationRuntime[],
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
        ...queries,
      ],
      exports: [AUTOMATION_CONTEXT, AUTOMATION_SWEEPS, ...queries],
    };
  }

  onModuleInit(): void {
    for (const runtime of this.runtimes) {
      for (const { processor, options } of runtime.processors) this.host.register(processor, options);
      for (const sweeper of runtime.sweepers) this.sweeps.register(sweeper);
    }
  }

  onApplicationBootstrap(): void {
    this.sweeps.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeps.stop();
    for (const runtime of this.runtimes) runtime.close?.();
  }
}
