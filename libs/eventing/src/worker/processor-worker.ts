import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { comparePositions, type GlobalPosition, START_POSITION } from '../event-store.port';
import type { ProcessorStatus } from '../processing/checkpointed-processor';
import type { ProcessorHandle } from '../nest/processors';
import type { ProcessorWorkerData, WorkerCommand, WorkerReport } from './processor-worker.messages';
import { spawnLibraryWorker } from './spawn-worker';

export interface ProcessorWorkerOptions {
  /**
   * File (without extension, or with .ts/.js) exporting `exportName`: a function of `data` answering the
   * Nest module the worker boots. Its processors register with that module's ProcessorHost.
   */
  readonly modulePath: string;
  readonly exportName: string;
  /** Structured-cloneable: configuration, not live objects (the worker opens its own connections). */
  readonly data: unknown;
  /** Default 5 ms: the delay a read-your-writes query may add on top of the projection's own. */
  readonly reportEveryMs?: number;
  /** First wait before a crashed worker is started again; doubles up to 30 s while it keeps crashing. */
  readonly restartDelayMs?: number;
  /** Longest wait for a (re)started worker to report ready. Default 120 s (ts-node compiles it in development). */
  readonly readyTimeoutMs?: number;
  /** Longest wait for the worker to stop its processors at shutdown before it is terminated. Default 30 s. */
  readonly stopTimeoutMs?: number;
  /** No Nest logger in the worker (tests). */
  readonly quiet?: boolean;
}

/** The worker did not come up: the application cannot serve reads without its processors. */
export class ProcessorWorkerStartError extends Error {}

/** The counters of a processor the worker has not reported yet: nothing the main thread knows of. */
const NOT_YET_REPORTED = { eventsDelivered: 0, batches: 0, lastBatchSize: 0, handleBatchMs: 0, reads: 0, ownReads: 0 } as const;

interface Waiter {
  readonly name: string;
  readonly target: GlobalPosition;
  readonly resolve: (reached: boolean) => void;
}

/**
 * Runs processors in a worker thread of this process and mirrors their statuses here: positions and
 * states arrive as messages, read-your-writes waits resolve on them, and start/stop of one processor is
 * forwarded. A worker that exits unasked (a crash, an uncaught error) is logged and started again; its
 * processors resume from their checkpoints, and until then their statuses say the worker is down.
 */
export class ProcessorWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ProcessorWorker');
  private readonly known = new Map<string, ProcessorStatus>();
  private readonly waiters = new Set<Waiter>();
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private worker?: Worker;
  private stopping = false;
  private nextId = 1;
  private restartTimer?: NodeJS.Timeout;
  private delay: number;
  /** How many times the worker was started again after a crash. */
  restarts = 0;
  /** Why the worker last exited unasked. */
  lastCrash?: string;

  constructor(private readonly options: ProcessorWorkerOptions) {
    this.delay = options.restartDelayMs ?? 500;
  }

  /** The running thread, for diagnostics (its threadId) and for tests that make it crash. */
  get thread(): Worker | undefined {
    return this.worker;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Starts the worker and resolves once its processors are registered and started. */
  start(): Promise<void> {
    this.stopping = false;
    const worker = spawn(this.options);
    // The application's own handles (its server) keep the process alive, not the worker: an application
    // that is never closed (a failed start) must not hang its process.
    worker.unref();
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        if (ready) return;
        reject(new ProcessorWorkerStartError(`the processor worker did not report ready within ${this.options.readyTimeoutMs ?? 120_000} ms`));
        void worker.terminate();
      }, this.options.readyTimeoutMs ?? 120_000);
      worker.on('message', (report: WorkerReport) => {
        if (report.kind === 'ready') {
          ready = true;
          clearTimeout(timer);
          this.delay = this.options.restartDelayMs ?? 500;
          this.update(report.statuses);
          resolve();
        } else if (report.kind === 'statuses') this.update(report.statuses);
        else if (report.kind === 'done') this.settle(report.id, report.error);
      });
      worker.on('error', (error) => {
        this.lastCrash = error.stack ?? error.message;
        this.logger.error(`processor worker failed: ${this.lastCrash}`);
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        for (const [id] of this.pending) this.settle(id, 'the processor worker exited');
        if (!ready) {
          clearTimeout(timer);
          reject(new ProcessorWorkerStartError(`the processor worker exited with code ${code} before it was ready: ${this.lastCrash ?? 'no error reported'}`));
          return;
        }
        if (this.stopping) return;
        this.crashed(`exited with code ${code}${this.lastCrash ? `: ${firstLine(this.lastCrash)}` : ''}`);
      });
    });
  }

  /** Stops the worker's processors (each finishes and saves its batch), closes its connections, ends it. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const timer = setTimeout(() => void worker.terminate(), this.options.stopTimeoutMs ?? 30_000);
    worker.postMessage({ kind: 'shutdown' } satisfies WorkerCommand);
    await exited;
    clearTimeout(timer);
    for (const waiter of [...this.waiters]) waiter.resolve(false);
  }

  statuses(): ProcessorStatus[] {
    return [...this.known.values()];
  }

  /** The handle of a worker processor; its status is the last one the worker reported. */
  handle(name: string): ProcessorHandle {
    return {
      status: () => this.known.get(name) ?? { name, state: 'idle', position: START_POSITION, metrics: NOT_YET_REPORTED },
      waitFor: (target, timeoutMs) => this.waitFor(name, target, timeoutMs),
      start: () => void this.command('start-runner', name).catch((error: Error) => this.logger.warn(error.message)),
      stop: () => this.command('stop-runner', name),
    };
  }

  waitFor(name: string, target: GlobalPosition, timeoutMs: number): Promise<boolean> {
    if (this.reached(name, target)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        name,
        target,
        resolve: (reached) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private reached(name: string, target: GlobalPosition): boolean {
    const status = this.known.get(name);
    return status !== undefined && comparePositions(status.position, target) >= 0;
  }

  private update(statuses: readonly ProcessorStatus[]): void {
    for (const status of statuses) this.known.set(status.name, status);
    for (const waiter of [...this.waiters]) if (this.reached(waiter.name, waiter.target)) waiter.resolve(true);
  }

  private command(kind: 'start-runner' | 'stop-runner', name: string): Promise<void> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error(`the processor worker is not running: cannot ${kind} ${name}`));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ kind, id, name } satisfies WorkerCommand);
    });
  }

  private settle(id: number, error?: string): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    if (error) pending.reject(new Error(error));
    else pending.resolve();
  }

  /** Marks every worker processor down with the reason, and starts the worker again after a backoff. */
  private crashed(reason: string): void {
    const message = `processor worker ${reason}; restarting in ${this.delay} ms`;
    this.logger.error(message);
    for (const [name, status] of this.known) this.known.set(name, { ...status, state: 'retrying', lastError: message });
    this.lastCrash = undefined;
    const delay = this.delay;
    this.delay = Math.min(this.delay * 2, 30_000);
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.restarts++;
      this.start().catch((error: Error) => {
        if (!this.stopping) this.crashed(`did not start again (${error.message})`);
      });
    }, delay);
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}

/** Starts the worker thread (from a TypeScript checkout through ts-node, see spawnLibraryWorker). */
function spawn(options: ProcessorWorkerOptions): Worker {
  const workerData: ProcessorWorkerData = {
    modulePath: options.modulePath,
    exportName: options.exportName,
    data: options.data,
    reportEveryMs: options.reportEveryMs ?? 5,
    quiet: options.quiet ?? false,
  };
  return spawnLibraryWorker(join(__dirname, 'processor-worker.main'), workerData);
}
