/**
 * The processor worker thread: boots the Nest module the main thread named, whose processors register
 * with its ProcessorHost and start with it, reports their statuses whenever they change, and on
 * `shutdown` closes the module (processors stopped after their batch, checkpoints saved, connections
 * closed) before it ends. Started by ProcessorWorker, never on its own.
 */
import 'reflect-metadata';
import { type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parentPort, workerData } from 'node:worker_threads';
import { positionToString } from '../event-store.port';
import type { ProcessorStatus } from '../processing/checkpointed-processor';
import { ProcessorHost } from '../processing/processor-host';
import type { ProcessorWorkerData, WorkerCommand, WorkerReport } from './processor-worker.messages';

type ModuleFactory = (data: unknown) => unknown;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('processor-worker.main runs only as a worker thread');
  const options = workerData as ProcessorWorkerData;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = (require(options.modulePath) as Record<string, ModuleFactory>)[options.exportName];
  if (typeof factory !== 'function') throw new Error(`${options.modulePath} exports no function ${options.exportName}`);
  const module = (await factory(options.data)) as Type;
  const app: INestApplicationContext = await NestFactory.createApplicationContext(module, {
    logger: options.quiet ? false : ['log', 'warn', 'error'],
    abortOnError: false,
  });
  const host = app.get(ProcessorHost);
  const post = (report: WorkerReport) => port.postMessage(report);

  let last = '';
  const changed = (): ProcessorStatus[] | undefined => {
    const statuses = host.statuses();
    const key = statuses.map(fingerprint).join('|');
    if (key === last) return undefined;
    last = key;
    return statuses;
  };
  changed();
  post({ kind: 'ready', statuses: host.statuses() });
  const timer = setInterval(() => {
    const statuses = changed();
    if (statuses) post({ kind: 'statuses', statuses });
  }, options.reportEveryMs);

  let closing = false;
  port.on('message', (command: WorkerCommand) => {
    if (command.kind === 'shutdown') {
      if (closing) return;
      closing = true;
      clearInterval(timer);
      void app
        .close()
        .catch((error: Error) => console.error(`processor worker: closing failed: ${error.stack ?? error.message}`))
        .finally(() => {
          // The last positions, so the main thread's statuses show where each processor stopped.
          post({ kind: 'statuses', statuses: host.statuses() });
          post({ kind: 'closed' });
          process.exit(0);
        });
      return;
    }
    const runner = host.runner(command.name);
    if (!runner) {
      post({ kind: 'done', id: command.id, error: `no processor ${command.name} in the worker` });
      return;
    }
    if (command.kind === 'start-runner') {
      runner.start();
      post({ kind: 'done', id: command.id });
    } else {
      runner.stop().then(
        () => post({ kind: 'done', id: command.id }),
        (error: Error) => post({ kind: 'done', id: command.id, error: error.message }),
      );
    }
  });
}

function fingerprint(s: ProcessorStatus): string {
  // The lease too: a new tenure (another term) is news for /health/ready even when the state did not change.
  return `${s.name}:${s.state}:${positionToString(s.position)}:${s.lastError ?? ''}:${s.stoppedReason ?? ''}:${s.lease?.held ?? ''}:${s.lease?.term ?? ''}`;
}

main().catch((error: Error) => {
  // Thrown out of the thread: the main thread sees the error and the exit, and restarts the worker.
  setImmediate(() => {
    throw error;
  });
});
