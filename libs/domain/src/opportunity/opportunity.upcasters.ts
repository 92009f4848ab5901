import { legacyTimesUpcaster, type Upcaster } from '../shared/upcaster';
import { OPPORTUNITY_EVENT_TYPES } from './opportunity.events';

/** Opportunity events of schema version 1: legacy times normalised on read, as for lead events. */
export const OPPORTUNITY_UPCASTERS: readonly Upcaster[] = OPPORTUNITY_EVENT_TYPES.map((type) =>
  legacyTimesUpcaster(type, 1, type === 'OpportunityOpened' ? { dates: ['expectedCloseDate'] } : {}),
);
