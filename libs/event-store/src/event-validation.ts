import { NewEvent } from './event-store.port';
import { EventStoreError, EventStoreErrorCode } from './event-store.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks what every adapter needs before it writes, so bad input fails the same way on every store. */
export function assertValidNewEvents(streamId: string, events: readonly NewEvent[]): void {
  if (!streamId || streamId.startsWith('$')) {
    throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `invalid stream id "${streamId}"`);
  }
  const seen = new Set<string>();
  for (const event of events) {
    if (!UUID.test(event.eventId)) {
      throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `event id "${event.eventId}" is not a UUID`);
    }
    if (seen.has(event.eventId.toLowerCase())) {
      throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `event id ${event.eventId} appears twice in one append`);
    }
    seen.add(event.eventId.toLowerCase());
    if (!event.type) throw new EventStoreError(EventStoreErrorCode.InvalidEvent, 'event type is empty');
  }
}
