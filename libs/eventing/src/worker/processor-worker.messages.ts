import type { ProcessorStatus } from '../processing/checkpointed-processor';

/** What the main thread hands a processor worker at its start (structured-cloneable). */
export interface ProcessorWorkerData {
  /** File exporting the factory of the worker's Nest module (resolved by require: .ts under ts-node, .js from dist). */
  readonly modulePath: string;
  readonly exportName: string;
  /** Handed to the factory. */
  readonly data: unknown;
  /** How often the worker looks for moved positions and changed states to report. */
  readonly reportEveryMs: number;
  readonly quiet: boolean;
}

/** Worker → main thread. */
export type WorkerReport =
  | { readonly kind: 'ready'; readonly statuses: ProcessorStatus[] }
  | { readonly kind: 'statuses'; readonly statuses: ProcessorStatus[] }
  | { readonly kind: 'done'; readonly id: number; readonly error?: string }
  | { readonly kind: 'closed' };

/** Main thread → worker. */
export type WorkerCommand =
  | { readonly kind: 'start-runner'; readonly id: number; readonly name: string }
  | { readonly kind: 'stop-runner'; readonly id: number; readonly name: string }
  | { readonly kind: 'shutdown' };
