/** Why a Kafka message could not be read as a lead-lifecycle event; stable, for a consumer's dead-letter routing. */
export enum LifecycleMessageErrorCode {
  /** No `ce_type` of the engine (`lead-lifecycle.<Type>.v<n>`), or not CloudEvents 1.0: another producer's message. */
  NotALifecycleEvent = 'NOT_A_LIFECYCLE_EVENT',
  /** An engine event type this code does not know (written by a newer release). */
  UnknownType = 'UNKNOWN_EVENT_TYPE',
  /** A schema version no upcaster brings to the one this code reads (typically a newer release's). */
  UnknownVersion = 'UNKNOWN_SCHEMA_VERSION',
  /** The value is not a JSON object, or a header the event needs is missing. */
  MalformedMessage = 'MALFORMED_MESSAGE',
}

/** A Kafka message decodeLifecycleMessage cannot read; `eventType`/`schemaVersion` as far as the headers said. */
export class LifecycleMessageError extends Error {
  constructor(
    readonly code: LifecycleMessageErrorCode,
    message: string,
    readonly eventType?: string,
    readonly schemaVersion?: number,
  ) {
    super(message);
    this.name = 'LifecycleMessageError';
  }
}
