import type { AutomationPart } from '../automation-part';

/** The sla reactions (to be built). */
export const SLA_PART: AutomationPart = {
  name: 'sla',
  runtime: () => ({ processors: [], sweepers: [] }),
};
