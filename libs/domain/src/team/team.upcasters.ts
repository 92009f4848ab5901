import { type Upcaster } from '../shared/upcaster';

/**
 * Team events exist since schema version 1 with RFC 3339 times, so nothing needs rewriting yet; the
 * registry is here so that the next version of a payload gets its upcaster beside the events.
 */
export const TEAM_UPCASTERS: readonly Upcaster[] = [];
