import { LEAD_EVENT_SCHEMA_VERSIONS } from './lead/lead-event.decoder';
import { LEAD_UPCASTERS } from './lead/lead.upcasters';
import { OPPORTUNITY_EVENT_SCHEMA_VERSIONS } from './opportunity/opportunity-event.decoder';
import { OPPORTUNITY_UPCASTERS } from './opportunity/opportunity.upcasters';
import { UpcasterRegistry } from './shared/upcaster';
import { TEAM_EVENT_SCHEMA_VERSIONS } from './team/team-event.decoder';
import { TEAM_UPCASTERS } from './team/team.upcasters';

/**
 * Every upcaster of the domain's events: the registry the decoders use per aggregate, in one, for the
 * store decorator (UpcastingEventStore) that upcasts every read.
 */
export const DOMAIN_UPCASTERS = new UpcasterRegistry([...LEAD_UPCASTERS, ...OPPORTUNITY_UPCASTERS, ...TEAM_UPCASTERS]);

/** Schema version of events that are not the domain's (identity reservations): the first. */
const FIRST_SCHEMA_VERSION = 1;

const VERSIONS: Readonly<Record<string, number>> = { ...LEAD_EVENT_SCHEMA_VERSIONS, ...OPPORTUNITY_EVENT_SCHEMA_VERSIONS, ...TEAM_EVENT_SCHEMA_VERSIONS };

/** The schema version today's code writes for an event type. */
export function schemaVersionOf(type: string): number {
  const versions = VERSIONS;
  return Object.prototype.hasOwnProperty.call(versions, type) ? versions[type] : FIRST_SCHEMA_VERSION;
}
