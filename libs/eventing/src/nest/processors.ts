import { Inject, Injectable } from '@nestjs/common';
import type { GlobalPosition } from '../event-store.port';
import type { ProcessorStatus } from '../processing/checkpointed-processor';
import { ProcessorHost } from '../processing/processor-host';
import type { ProcessorWorker } from '../worker/processor-worker';
import { PROCESSOR_WORKER } from './eventing.nest-tokens';

/**
 * What a reader needs of one processor, wherever it runs: a ProcessorRunner of this thread has it, and
 * so has the handle of a processor in the worker thread (its status as the worker last reported it).
 */
export interface ProcessorHandle {
  status(): ProcessorStatus;
  /** Resolves true once the processor has handled everything up to `target`, false after `timeoutMs`. */
  waitFor(target: GlobalPosition, timeoutMs: number): Promise<boolean>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Every processor of the application, those of this thread's ProcessorHost and those of its worker
 * thread: for status pages and read-your-writes, which must not care where a processor runs.
 */
@Injectable()
export class Processors {
  constructor(
    readonly host: ProcessorHost,
    @Inject(PROCESSOR_WORKER) readonly worker: ProcessorWorker | null,
  ) {}

  /** Whether the processors a worker was given run there (not on this thread). */
  get inWorker(): boolean {
    return this.worker !== null;
  }

  statuses(): ProcessorStatus[] {
    return [...this.host.statuses(), ...(this.worker?.statuses() ?? [])];
  }

  /** The processor of that name on this thread, else the worker's (known once the worker reported it). */
  runner(name: string): ProcessorHandle | undefined {
    return this.host.runner(name) ?? this.worker?.handle(name);
  }
}
