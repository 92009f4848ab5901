import { assertNever } from '../shared/domain-error';
import { type LeadEvent, type LeadStage, type QueueReason, type RoutingStrategy } from './lead.events';
import { type ExistingLead } from './lead.state';

/** The stages in which a lead is worked by its owner: routing acts only on these, and they count against capacity. */
export const OPEN_LEAD_STAGES: readonly LeadStage[] = ['lead', 'mql', 'sql', 'opportunity'];

/** Whether a lead in `stage` is still worked (not a customer, not disqualified, not back in nurture). */
export const isOpenLeadStage = (stage: string): boolean => (OPEN_LEAD_STAGES as readonly string[]).includes(stage);

/**
 * Issued by the routing reaction. `reason: 'rule'` assigns an unowned lead to the owner a rule chose (a
 * lead that has an owner, set by hand or earlier, keeps it: a manual assignment is never overwritten).
 * `reason: 'sla_escalation'` moves the lead away from `fromOwnerId` after a breached SLA, and
 * `reason: 'owner_unavailable'` after `fromOwnerId` left the team or went away indefinitely; both do
 * nothing when someone else assigned it meanwhile.
 */
export interface RouteLead {
  readonly type: 'RouteLead';
  readonly ownerId: string;
  readonly reason: 'rule' | 'sla_escalation' | 'owner_unavailable';
  readonly fromOwnerId?: string;
  readonly ruleId?: string;
  readonly teamId?: string;
  readonly strategy?: RoutingStrategy;
  readonly occurredAt: string;
}

/**
 * Issued by the routing reaction: the lead waits in the queue. For a rule (no match, nobody eligible)
 * only while it has no owner; after a breach or an unavailable owner (`fromOwnerId`) only while that
 * owner still has it.
 */
export interface QueueLead {
  readonly type: 'QueueLead';
  readonly reason: QueueReason;
  readonly fromOwnerId?: string;
  readonly ruleId?: string;
  readonly teamId?: string;
  readonly occurredAt: string;
}

export type LeadRoutingCommand = RouteLead | QueueLead;

/** Decides a routing command on an existing lead; nothing when the lead moved on since the reaction's cause. */
export function decideLeadRouting(command: LeadRoutingCommand, state: ExistingLead): LeadEvent[] {
  if (!isOpenLeadStage(state.stage)) return [];
  // A rule acts on unowned leads only; an escalation only while the breaching owner still has the lead.
  const stillItsOwn = command.fromOwnerId === undefined ? state.ownerId === undefined : state.ownerId === command.fromOwnerId;
  if (!stillItsOwn) return [];
  const { leadId } = state;
  switch (command.type) {
    case 'RouteLead': {
      if (state.ownerId === command.ownerId) return [];
      const { ownerId, reason, ruleId, teamId, strategy, occurredAt } = command;
      return [{ type: 'LeadAssigned', data: { leadId, ownerId, previousOwnerId: state.ownerId, reason, ruleId, teamId, strategy, occurredAt } }];
    }
    case 'QueueLead': {
      const { reason, ruleId, teamId, occurredAt } = command;
      if (isSameQueueing(state, command)) return [];
      return [{ type: 'LeadQueued', data: { leadId, reason, ruleId, teamId, occurredAt } }];
    }
    default:
      return assertNever(command, 'lead routing command');
  }
}

/**
 * Whether the lead already waits as the command would queue it. For `owner_unavailable` only the same
 * moment counts (a rerun of the same decision): the owner may have come back since an earlier queueing,
 * which routing sees on the team's stream and the lead's stream does not, so a new unavailability queues
 * the lead anew.
 */
function isSameQueueing(state: ExistingLead, command: QueueLead): boolean {
  if (state.queued?.reason !== command.reason) return false;
  return command.reason !== 'owner_unavailable' || state.queued.since === command.occurredAt;
}
