import { legacyTimesUpcaster, type Upcaster } from '../shared/upcaster';
import { LEAD_EVENT_TYPES } from './lead.events';

/**
 * Lead events of schema version 1 as stored before business times were RFC 3339: their times are
 * rewritten to the normalised UTC form on read (OpportunityOpenedForLead's expectedCloseDate to a
 * calendar date). Current events pass unchanged.
 */
const legacyTimes = (type: string) => legacyTimesUpcaster(type, 1, type === 'OpportunityOpenedForLead' ? { dates: ['expectedCloseDate'] } : {});

/** LeadAssigned v1 → v2: before routing existed every assignment was made by hand. */
const leadAssignedV1ToV2: Upcaster = {
  type: 'LeadAssigned',
  fromVersion: 1,
  toVersion: 2,
  upcast: (event) => {
    const { data, metadata } = legacyTimes('LeadAssigned').upcast(event);
    return { data: { ...data, reason: 'manual' }, metadata };
  },
};

export const LEAD_UPCASTERS: readonly Upcaster[] = [
  ...LEAD_EVENT_TYPES.filter((type) => type !== 'LeadAssigned').map(legacyTimes),
  leadAssignedV1ToV2,
];
