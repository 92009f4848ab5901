/** Codes of the errors every event store adapter raises, whatever its backing database. */
export enum EventStoreErrorCode {
  WrongExpectedRevision = 'WRONG_EXPECTED_REVISION',
  /** The store cannot be reached now; the same call may succeed later. */
  Unavailable = 'STORE_UNAVAILABLE',
  InvalidEvent = 'INVALID_EVENT',
  Closed = 'STORE_CLOSED',
}

export class EventStoreError extends Error {
  constructor(
    readonly code: EventStoreErrorCode,
    message: string,
    readonly retryable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EventStoreError';
  }
}

export class WrongExpectedRevisionError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      EventStoreErrorCode.WrongExpectedRevision,
      `stream ${streamId}: expected revision ${expected}, actual ${actual}`,
      true,
    );
    this.name = 'WrongExpectedRevisionError';
  }
}

export class StoreUnavailableError extends EventStoreError {
  constructor(message: string, cause?: unknown) {
    super(EventStoreErrorCode.Unavailable, message, true, { cause });
    this.name = 'StoreUnavailableError';
  }
}
