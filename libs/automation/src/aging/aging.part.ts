import type { AutomationPart } from '../automation-part';
import { AgingReaction } from './aging.reaction';
import { AgingSweeper } from './aging.sweeper';
import { AgingWatchStore } from './aging-watch.store';

/**
 * Aging and decay: stalled opportunities, stale MQLs, score decay and the recycling of closed leads.
 * One reaction (`reaction:aging`) keeps the deadlines and its checkpoint in `aging.sqlite` in the data
 * folder, one sweeper (`aging`) acts on them when the clock reaches them.
 */
export const AGING_PART: AutomationPart = {
  name: 'aging',
  runtime: (context) => {
    const watches = AgingWatchStore.inDataDir(context.dataDir);
    return {
      // Its checkpoint lives in the state file, committed with the deadlines (as routing's).
      processors: [{ processor: new AgingReaction(watches, context.lifecycleConfig), options: { poisonPolicy: 'park', checkpoints: watches.checkpoints } }],
      sweepers: [new AgingSweeper(context.store, watches, context.lifecycleConfig)],
      close: () => watches.close(),
    };
  },
};
