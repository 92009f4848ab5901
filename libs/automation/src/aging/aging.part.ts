import type { AutomationPart } from '../automation-part';

/** The aging reactions (to be built). */
export const AGING_PART: AutomationPart = {
  name: 'aging',
  runtime: () => ({ processors: [], sweepers: [] }),
};
