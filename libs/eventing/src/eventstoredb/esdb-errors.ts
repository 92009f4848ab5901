import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  ErrorType,
  InvalidArgumentError,
  isCommandError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  StreamDeletedError,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { EventStoreError, EventStoreErrorCode, StoreUnavailableError, WrongExpectedRevisionError } from '../event-store.errors';

export function isStreamNotFound(error: unknown): boolean {
  return error instanceof StreamNotFoundError || (error instanceof Error && isCommandError(error) && error.type === ErrorType.STREAM_NOT_FOUND);
}

/**
 * Errors after which the same call may succeed: the server could not be reached, the connection
 * dropped, the call timed out, the node is not the leader, or the client failed in a way the
 * client library itself reports as unknown (for instance its "write after end" on a dropped
 * connection, or an HTTP/2 RST_STREAM). An append that failed like this may or may not have been
 * written; retrying it with the same event ids is safe because EventStoreDB's appends are
 * idempotent by event id.
 */
export function isTransient(error: unknown): boolean {
  if (
    error instanceof UnavailableError ||
    error instanceof CancelledError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError
  ) {
    return true;
  }
  if (error instanceof Error && isCommandError(error)) return error.type === ErrorType.UNKNOWN;
  // Anything that is not a client error (a raw gRPC ServiceError, a socket error, a TypeError thrown
  // by the client's own stream handling) is a failure of the transport, not a refusal by the server.
  return !(error instanceof EventStoreError);
}

/** Maps whatever the client threw to the port's errors; never returns a client error. */
export function toPortError(error: unknown, context: { operation: string; streamId?: string; expected?: string }): EventStoreError {
  if (error instanceof EventStoreError) return error;
  if (error instanceof WrongExpectedVersionError) {
    const actual = error.actualVersion;
    return new WrongExpectedRevisionError(
      context.streamId ?? error.streamName,
      context.expected ?? String(error.expectedVersion),
      typeof actual === 'bigint' ? actual.toString() : String(actual),
    );
  }
  const message = `${context.operation}${context.streamId ? ` on ${context.streamId}` : ''} failed: ${describe(error)}`;
  if (error instanceof MaxAppendSizeExceededError) {
    return new EventStoreError(EventStoreErrorCode.InvalidEvent, `${message} (maximum append size ${error.maxAppendSize} bytes)`, false, {
      cause: error,
    });
  }
  if (error instanceof InvalidArgumentError) {
    return new EventStoreError(EventStoreErrorCode.InvalidEvent, message, false, { cause: error });
  }
  if (error instanceof StreamDeletedError) {
    return new EventStoreError(EventStoreErrorCode.InvalidEvent, message, false, { cause: error });
  }
  if (error instanceof AccessDeniedError) {
    return new EventStoreError(EventStoreErrorCode.Unavailable, message, false, { cause: error });
  }
  return new StoreUnavailableError(message, error);
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
