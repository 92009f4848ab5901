import type { AutomationPart } from '../automation-part';
import { SlaBreachSweeper } from './sla-breach.sweeper';
import { SlaQuery } from './sla.query';
import { SlaStateStore } from './sla-state.store';
import { SlaReaction } from './sla.reaction';

/**
 * Response SLAs: the reaction `reaction:sla` (SlaStarted on every assignment a policy matches, SlaMet on
 * the first sales touch) and the sweeper `sweeper:sla-breach` (SlaBreached at the due time), sharing
 * the state file `sla.sqlite` of the data folder (which holds the reaction's checkpoint too); GET /v1/sla
 * reads the same file (SlaQuery).
 */
export const SLA_PART: AutomationPart = {
  name: 'sla',
  runtime: (context) => {
    const state = SlaStateStore.inDataDir(context.dataDir);
    return {
      // Parked like the opportunity reaction's: a lead event it cannot read must not stop every tenant's SLAs.
      // Its checkpoint lives in the state file, committed with the state (as routing's).
      processors: [{ processor: new SlaReaction(context.store, state, context.lifecycleConfig), options: { poisonPolicy: 'park', checkpoints: state.checkpoints } }],
      sweepers: [new SlaBreachSweeper(context.store, state, context.lifecycleConfig)],
      close: () => state.close(),
    };
  },
  queries: [SlaQuery],
};
