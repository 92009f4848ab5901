import type { AutomationPart } from '../automation-part';

/** The routing reactions (to be built). */
export const ROUTING_PART: AutomationPart = {
  name: 'routing',
  runtime: () => ({ processors: [], sweepers: [] }),
};
