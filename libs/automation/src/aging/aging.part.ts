import type { AutomationPart } from '../automation-part';
import { AgingReaction } from './aging.reaction';
import { AgingSweeper } from './aging.sweeper';
import { AgingWatchStore } from './aging-watch.store';

/**
 * Aging and decay: stalled opportunities, stale MQLs, score decay and the recycling of closed leads.
 * One reaction (`reaction:aging`) keeps the deadlines in `aging.sqlite` in the data folder, one
 * sweeper (`aging`) acts on them when the clock reaches them.
 */
export const AGING_PART: AutomationPart = {
  name: 'aging',
  runtime: (context) => {
    const watches = AgingWatchStore.inDataDir(context.dataDir);
    return {
      processors: [{ processor: new AgingReaction(watches, context.lifecycleConfig), options: { poisonPolicy: 'park' } }],
      sweepers: [new AgingSweeper(context.store, watches, context.lifecycleConfig)],
      close: () => watches.close(),
    };
  },
};
