import { LEAD_STREAM_PREFIX } from './lead/lead.events';
import { OPPORTUNITY_STREAM_PREFIX } from './opportunity/opportunity.events';
import { TEAM_STREAM_PREFIX } from './team/team.events';

/**
 * The streams of leads and their opportunities: what the processors that follow the funnel subscribe to
 * (the projections, the opportunity and aging reactions) and what the tenant export reads. Team streams
 * are not in it: those processors decode lead and opportunity events only.
 */
export const AGGREGATE_STREAM_PREFIXES: readonly string[] = [LEAD_STREAM_PREFIX, OPPORTUNITY_STREAM_PREFIX];

/**
 * The streams the hash chain seals and the integrity check verifies: the funnel's and the teams' (who
 * may take which leads is part of the audited record). A different concept from the processors' list
 * above, even where they overlap.
 */
export const SEALED_STREAM_PREFIXES: readonly string[] = [...AGGREGATE_STREAM_PREFIXES, TEAM_STREAM_PREFIX];
