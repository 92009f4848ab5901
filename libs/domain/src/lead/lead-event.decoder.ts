import { createEventDecoder, type EncodedEvent, type EventDecoder } from '../shared/event-decoder';
import { UpcasterRegistry } from '../shared/upcaster';
import { type LeadEvent, type LeadEventType } from './lead.events';
import { LEAD_UPCASTERS } from './lead.upcasters';

/** The schema version today's code writes and reads for each lead event; bump it (with an upcaster) when a payload changes shape. */
export const LEAD_EVENT_SCHEMA_VERSIONS: Readonly<Record<LeadEventType, number>> = {
  LeadCaptured: 1,
  LeadRecaptured: 1,
  LeadEnriched: 1,
  EngagementRecorded: 1,
  ScoreChanged: 1,
  QualifiedAsMQL: 1,
  PromotedToSQL: 1,
  LeadAssigned: 2,
  LeadQueued: 1,
  SlaStarted: 1,
  SlaMet: 1,
  SlaBreached: 1,
  LeadDisqualified: 1,
  LeadRecycled: 1,
  OpportunityOpenedForLead: 1,
  OpportunityLostForLead: 1,
  ConvertedToCustomer: 1,
  PersonalDataErased: 1,
  LeadStageAdvanced: 1,
};

/** The lead events' upcasters, keyed by type and schema version. */
export const LEAD_UPCASTER_REGISTRY = new UpcasterRegistry(LEAD_UPCASTERS);

/** Reads stored lead events: the type checked against the catalogue, older versions upcast. */
export const LEAD_EVENT_DECODER: EventDecoder<LeadEvent> = createEventDecoder<LeadEvent>({
  name: 'lead',
  schemaVersions: LEAD_EVENT_SCHEMA_VERSIONS,
  upcasters: LEAD_UPCASTER_REGISTRY,
});

/** A stored lead event as a typed LeadEvent in today's form; throws EventDecodingError for a type or version it cannot read. */
export const decodeLeadEvent = (stored: EncodedEvent): LeadEvent => LEAD_EVENT_DECODER.decode(stored);

/** Whether a stored event's type is one of the lead's events. */
export const isLeadEventType = (type: string): type is LeadEventType => LEAD_EVENT_DECODER.knows(type);
