import type { AutomationPart } from '../automation-part';
import { RoutingQueries } from './routing.queries';
import { RoutingReaction } from './routing.reaction';
import { RoutingStateStore } from './routing-state.store';
import { TeamAwaySweeper } from './team-away.sweeper';
import { TeamCommands } from './team-commands.service';

/**
 * Teams and routing: the routing reaction (`reaction:routing`, its state and checkpoint in
 * DATA_DIR/routing.sqlite), the sweeper that records the end of away periods, and the team commands and
 * routing reads the API serves.
 */
export const ROUTING_PART: AutomationPart = {
  name: 'routing',
  runtime: (context) => {
    const state = RoutingStateStore.inDataDir(context.dataDir);
    return {
      processors: [{ processor: new RoutingReaction(context.store, state, context.lifecycleConfig, { strategy: context.routingStrategy }), options: { poisonPolicy: 'park', checkpoints: state.checkpoints } }],
      sweepers: [new TeamAwaySweeper(context.store, state)],
      close: () => state.close(),
    };
  },
  queries: [TeamCommands, RoutingQueries],
};
