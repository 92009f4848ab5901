import { createEventDecoder, type EncodedEvent, type EventDecoder } from '../shared/event-decoder';
import { UpcasterRegistry } from '../shared/upcaster';
import { type TeamEvent, type TeamEventType } from './team.events';
import { TEAM_UPCASTERS } from './team.upcasters';

/** The schema version today's code writes and reads for each team event. */
export const TEAM_EVENT_SCHEMA_VERSIONS: Readonly<Record<TeamEventType, number>> = {
  TeamCreated: 1,
  TeamMemberAdded: 1,
  TeamMemberRemoved: 1,
  TeamMemberAvailabilityChanged: 1,
};

/** The team events' upcasters, keyed by type and schema version. */
export const TEAM_UPCASTER_REGISTRY = new UpcasterRegistry(TEAM_UPCASTERS);

/** Reads stored team events: the type checked against the catalogue, older versions upcast. */
export const TEAM_EVENT_DECODER: EventDecoder<TeamEvent> = createEventDecoder<TeamEvent>({
  name: 'team',
  schemaVersions: TEAM_EVENT_SCHEMA_VERSIONS,
  upcasters: TEAM_UPCASTER_REGISTRY,
});

/** A stored team event as a typed TeamEvent in today's form; throws EventDecodingError otherwise. */
export const decodeTeamEvent = (stored: EncodedEvent): TeamEvent => TEAM_EVENT_DECODER.decode(stored);

/** Whether a stored event's type is one of the team's events. */
export const isTeamEventType = (type: string): type is TeamEventType => TEAM_EVENT_DECODER.knows(type);
