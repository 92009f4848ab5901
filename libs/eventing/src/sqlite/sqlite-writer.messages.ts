import type { AppendResult } from '../event-store.port';
import { EventStoreError, EventStoreErrorCode, WrongExpectedRevisionError } from '../event-store.errors';
import type { BatchReport, EncodedAppend, SqliteDurability } from './sqlite-append-batch';

/** What the store hands its writer thread at the start (structured-cloneable). */
export interface SqliteWriterData {
  readonly filename: string;
  readonly durability: SqliteDurability | undefined;
}

/** Main thread → writer: appends to write (those of one event-loop turn), or the end. */
export type WriterCommand =
  | { readonly kind: 'append'; readonly appends: ReadonlyArray<{ readonly id: number; readonly append: EncodedAppend }> }
  | { readonly kind: 'close' };

/** An append's refusal as it crosses the thread boundary (an Error's class does not survive a postMessage). */
export type SerializedAppendError =
  | { readonly kind: 'wrong-expected-revision'; readonly streamId: string; readonly expected: string; readonly actual: string }
  | { readonly kind: 'store'; readonly code: EventStoreErrorCode; readonly message: string; readonly retryable: boolean };

export type SerializedAppendOutcome =
  | { readonly id: number; readonly ok: true; readonly result: AppendResult }
  | { readonly id: number; readonly ok: false; readonly error: SerializedAppendError };

/** Writer → main thread: the outcomes of one committed (or failed) transaction, or the end. */
export type WriterReport =
  | { readonly kind: 'written'; readonly outcomes: readonly SerializedAppendOutcome[]; readonly report: BatchReport }
  | { readonly kind: 'closed' };

/** The refusal as plain data; an error that is no store error becomes an unavailable store (retryable). */
export function serializeAppendError(error: unknown): SerializedAppendError {
  if (error instanceof WrongExpectedRevisionError) {
    return { kind: 'wrong-expected-revision', streamId: error.streamId, expected: error.expected, actual: error.actual };
  }
  if (error instanceof EventStoreError) return { kind: 'store', code: error.code, message: error.message, retryable: error.retryable };
  return { kind: 'store', code: EventStoreErrorCode.Unavailable, message: `append failed: ${(error as Error)?.message ?? String(error)}`, retryable: true };
}

/** The same error classes the store raises when it writes on its own thread. */
export function deserializeAppendError(error: SerializedAppendError): EventStoreError {
  return error.kind === 'wrong-expected-revision'
    ? new WrongExpectedRevisionError(error.streamId, error.expected, error.actual)
    : new EventStoreError(error.code, error.message, error.retryable);
}
