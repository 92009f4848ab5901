import { legacyTimesUpcaster, type Upcaster } from '../shared/upcaster';
import { LEAD_EVENT_TYPES } from './lead.events';

/**
 * Lead events of schema version 1 as stored before business times were RFC 3339: their times are
 * rewritten to the normalised UTC form on read (OpportunityOpenedForLead's expectedCloseDate to a
 * calendar date). Current events pass unchanged.
 */
export const LEAD_UPCASTERS: readonly Upcaster[] = LEAD_EVENT_TYPES.map((type) =>
  legacyTimesUpcaster(type, 1, type === 'OpportunityOpenedForLead' ? { dates: ['expectedCloseDate'] } : {}),
);
