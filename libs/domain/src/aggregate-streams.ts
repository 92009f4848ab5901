import { LEAD_STREAM_PREFIX } from './lead/lead.events';
import { OPPORTUNITY_STREAM_PREFIX } from './opportunity/opportunity.events';

/**
 * The stream prefixes of the domain's aggregates: what the hash chain seals, the integrity check
 * verifies, and the processors that follow every lead and opportunity subscribe to.
 */
export const AGGREGATE_STREAM_PREFIXES: readonly string[] = [LEAD_STREAM_PREFIX, OPPORTUNITY_STREAM_PREFIX];
