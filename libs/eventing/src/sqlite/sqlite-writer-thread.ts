import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { AppendResult } from '../event-store.port';
import { EventStoreError, EventStoreErrorCode } from '../event-store.errors';
import { spawnLibraryWorker } from '../worker/spawn-worker';
import type { BatchReport, EncodedAppend } from './sqlite-append-batch';
import { deserializeAppendError, type SqliteWriterData, type WriterCommand, type WriterReport } from './sqlite-writer.messages';

interface Waiting {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * The main thread's side of the writer thread: appends of one event-loop turn go to the thread in one
 * message, and each promise settles when the thread answers after its COMMIT (so a read on any
 * connection afterwards sees the append). `onBatch` hears of every transaction before its appends settle.
 * A thread that dies (it cannot open the file, the process is going down) fails its unanswered appends
 * with a retryable STORE_UNAVAILABLE, none of which was acknowledged; the next append starts a new one.
 * The thread starts with the store; an idle one does not keep the process alive.
 */
export class SqliteWriterThread {
  private worker?: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private outbox: Array<{ id: number; append: EncodedAppend }> = [];
  private sendScheduled = false;
  private nextId = 1;
  private closing?: Promise<void>;
  private lastError?: Error;

  constructor(
    private readonly data: SqliteWriterData,
    private readonly onBatch: (report: BatchReport, written: boolean) => void,
  ) {
    // Started now, so that its start (a compile under ts-node in development) overlaps the application's
    // own, instead of delaying the first append; idle, it does not keep the process alive.
    this.thread().unref();
  }

  append(append: EncodedAppend): Promise<AppendResult> {
    if (this.closing) return Promise.reject(new EventStoreError(EventStoreErrorCode.Closed, 'event store is closed'));
    const id = this.nextId++;
    return new Promise<AppendResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.outbox.push({ id, append });
      // Keeps the process alive while an append waits for its answer (an idle thread does not).
      this.thread().ref();
      if (!this.sendScheduled) {
        this.sendScheduled = true;
        setImmediate(() => this.send());
      }
    });
  }

  /** Sends what is queued, waits for every answer, and ends the thread after it closed its connection. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.send();
    const worker = this.worker;
    if (!worker) return;
    worker.ref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ kind: 'close' } satisfies WriterCommand);
    await exited;
  }

  private send(): void {
    this.sendScheduled = false;
    if (this.outbox.length === 0) return;
    const appends = this.outbox;
    this.outbox = [];
    this.thread().postMessage({ kind: 'append', appends } satisfies WriterCommand);
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnLibraryWorker(join(__dirname, 'sqlite-writer.main'), this.data);
    this.worker = worker;
    worker.on('message', (report: WriterReport) => {
      if (report.kind !== 'written') return;
      this.onBatch(report.report, report.outcomes.some((o) => o.ok));
      for (const outcome of report.outcomes) {
        const waiting = this.waiting.get(outcome.id);
        if (!waiting) continue;
        this.waiting.delete(outcome.id);
        if (outcome.ok) waiting.resolve(outcome.result);
        else waiting.reject(deserializeAppendError(outcome.error));
      }
      if (this.waiting.size === 0 && !this.closing) worker.unref();
    });
    worker.on('error', (error) => (this.lastError = error));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      if (this.waiting.size === 0) return;
      const reason = this.lastError?.message ?? `exited with code ${code}`;
      const failure = new EventStoreError(EventStoreErrorCode.Unavailable, `the SQLite writer thread ${reason}: append not written`, true, { cause: this.lastError });
      this.lastError = undefined;
      // Not yet sent: refused with the rest rather than written behind a refusal.
      this.outbox = [];
      for (const [id, waiting] of this.waiting) {
        this.waiting.delete(id);
        waiting.reject(failure);
      }
    });
    return worker;
  }
}
