import type { Provider } from '@nestjs/common';
import type { Clock, HostRoutingStrategy, LifecycleConfig } from '@lead-lifecycle/domain';
import type { DeadlineSweeper, EventProcessor, EventStore, ProcessorRunnerOptions } from '@lead-lifecycle/eventing';

/** What every automation part is built from, once per process (or worker thread). */
export interface AutomationContext {
  /** The store the reactions read (through the host's consumer) and append to. */
  readonly store: EventStore;
  readonly clock: Clock;
  readonly lifecycleConfig: LifecycleConfig;
  /** Where the parts keep their state files (the engine's DATA_DIR). */
  readonly dataDir: string;
  /** The host's routing strategy (AutomationModule.forRoot `routing.strategy`), if any. */
  readonly routingStrategy?: HostRoutingStrategy;
}

/** A durable reaction of one part, with its runner options (poison policy, batch size). */
export interface AutomationProcessor {
  readonly processor: EventProcessor;
  readonly options?: ProcessorRunnerOptions;
}

/** The running pieces of one part in the process that runs the reactions. */
export interface AutomationRuntime {
  readonly processors: readonly AutomationProcessor[];
  readonly sweepers: readonly DeadlineSweeper[];
  /** Closes the part's own files at shutdown. */
  close?(): void;
}

/**
 * One area of the automation (routing, SLAs, aging and decay): its durable reactions and sweepers,
 * built only where the processors run (the API's processor worker, or the API itself with
 * PROCESSORS_IN=main), and the query providers the API serves its reads with (they inject
 * AUTOMATION_CONTEXT).
 */
export interface AutomationPart {
  readonly name: string;
  runtime(context: AutomationContext): AutomationRuntime;
  readonly queries?: readonly Provider[];
}
