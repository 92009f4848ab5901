import { createEventDecoder, type EncodedEvent, type EventDecoder } from '../shared/event-decoder';
import { UpcasterRegistry } from '../shared/upcaster';
import { type OpportunityEvent, type OpportunityEventType } from './opportunity.events';
import { OPPORTUNITY_UPCASTERS } from './opportunity.upcasters';

/** The schema version today's code writes and reads for each opportunity event. */
export const OPPORTUNITY_EVENT_SCHEMA_VERSIONS: Readonly<Record<OpportunityEventType, number>> = {
  OpportunityOpened: 1,
  OpportunityStageChanged: 1,
  OpportunityWon: 1,
  OpportunityLost: 1,
  OpportunityStalled: 1,
};

/** The opportunity events' upcasters, keyed by type and schema version. */
export const OPPORTUNITY_UPCASTER_REGISTRY = new UpcasterRegistry(OPPORTUNITY_UPCASTERS);

/** Reads stored opportunity events: the type checked against the catalogue, older versions upcast. */
export const OPPORTUNITY_EVENT_DECODER: EventDecoder<OpportunityEvent> = createEventDecoder<OpportunityEvent>({
  name: 'opportunity',
  schemaVersions: OPPORTUNITY_EVENT_SCHEMA_VERSIONS,
  upcasters: OPPORTUNITY_UPCASTER_REGISTRY,
});

/** A stored opportunity event as a typed OpportunityEvent in today's form; throws EventDecodingError otherwise. */
export const decodeOpportunityEvent = (stored: EncodedEvent): OpportunityEvent => OPPORTUNITY_EVENT_DECODER.decode(stored);

/** Whether a stored event's type is one of the opportunity's events. */
export const isOpportunityEventType = (type: string): type is OpportunityEventType => OPPORTUNITY_EVENT_DECODER.knows(type);
