import { type CloudEventMessage, toCloudEventMessage } from '@lead-lifecycle/domain';
import { positionToString, type StoredEvent } from '@lead-lifecycle/eventing';

// The contract (headers, type names, keys) lives in the domain package, beside the consumers' decoder.
export { ceType, type CloudEventMessage, leadIdOf, messageKeyOf } from '@lead-lifecycle/domain';

/** The Kafka message of a stored event (CloudEvents 1.0 binary content mode; see toCloudEventMessage). */
export function toCloudEvent(event: StoredEvent, sourcePrefix: string): CloudEventMessage {
  return toCloudEventMessage({ ...event, position: positionToString(event.position) }, sourcePrefix);
}
