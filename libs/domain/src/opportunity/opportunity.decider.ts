import { type LifecycleConfig } from '../config/lifecycle-config';
import { calendarDateProblem, withBusinessTime } from '../shared/business-time';
import { assertNever, DomainError, DomainErrorCode, type FieldProblem, InvalidCommandError, LifecycleError } from '../shared/domain-error';
import { amountProblem, isKnownCurrency, minorUnitsOf, moneyProblems } from '../shared/money';
import { type OpportunityEvent } from './opportunity.events';
import { type OpportunityState } from './opportunity.state';

/** Issued by the lead reaction after OpportunityOpenedForLead; repeating it is harmless. */
export interface OpenOpportunityCommand {
  readonly type: 'OpenOpportunity';
  readonly opportunityId: string;
  readonly leadId: string;
  readonly tenantId: string;
  readonly name?: string;
  readonly amount: number;
  readonly currency: string;
  readonly expectedCloseDate?: string;
  readonly occurredAt: string;
}
export interface ChangeOpportunityStage {
  readonly type: 'ChangeOpportunityStage';
  readonly stage: string;
  readonly occurredAt: string;
}
export interface WinOpportunity {
  readonly type: 'WinOpportunity';
  /** The final amount; defaults to the opportunity's amount. */
  readonly amount?: number;
  readonly occurredAt: string;
}
export interface LoseOpportunity {
  readonly type: 'LoseOpportunity';
  readonly reason: string;
  readonly note?: string;
  readonly occurredAt: string;
}

/**
 * Issued by the aging sweeper when the idle spell that started at `idleSince` in `stage` reached its
 * limit; `occurredAt` is that deadline. Harmless to repeat, and nothing once the opportunity moved on.
 */
export interface MarkOpportunityStalled {
  readonly type: 'MarkOpportunityStalled';
  readonly stage: string;
  readonly idleSince: string;
  readonly stalledAfter: string;
  readonly occurredAt: string;
}

export type OpportunityCommand = OpenOpportunityCommand | ChangeOpportunityStage | WinOpportunity | LoseOpportunity | MarkOpportunityStalled;

export function decideOpportunity(command: OpportunityCommand, state: OpportunityState, config: LifecycleConfig): OpportunityEvent[] {
  if (command.type === 'OpenOpportunity') {
    // Checked after the replay test: a reaction replaying an event already handled must stay harmless.
    if (state.status !== 'none') return [];
    const problems: FieldProblem[] = moneyProblems({ amount: 'amount', currency: 'currency' }, command.amount, command.currency, config.money);
    const dateIssue = command.expectedCloseDate === undefined ? undefined : calendarDateProblem('expectedCloseDate', command.expectedCloseDate);
    if (dateIssue) problems.push(dateIssue);
    if (problems.length) throw new InvalidCommandError(problems);
    const pipeline = [...config.pipeline.stages];
    const { type: _type, ...data } = withBusinessTime(command);
    return [{ type: 'OpportunityOpened', data: { ...data, stage: pipeline[0], pipeline } }];
  }
  command = withBusinessTime(command);
  if (command.type === 'MarkOpportunityStalled') return stalled(command, state);
  if (state.status === 'none') throw new DomainError(DomainErrorCode.OpportunityNotFound, 'opportunity not found');
  if (state.status !== 'open') {
    throw new LifecycleError(state.status, describe(command), 'the opportunity is closed');
  }
  switch (command.type) {
    case 'ChangeOpportunityStage':
      if (!state.pipeline.includes(command.stage)) {
        throw new InvalidCommandError([{ field: 'stage', reason: `must be one of ${state.pipeline.join(', ')}` }]);
      }
      if (command.stage === state.stage) throw new LifecycleError(state.stage, `move to stage ${command.stage}`, 'already in that stage');
      return [
        {
          type: 'OpportunityStageChanged',
          data: { opportunityId: state.opportunityId, leadId: state.leadId, from: state.stage, to: command.stage, occurredAt: command.occurredAt },
        },
      ];
    case 'WinOpportunity': {
      const amount = command.amount ?? state.amount;
      const decimals = isKnownCurrency(state.currency) ? minorUnitsOf(state.currency) : undefined;
      const problem = amountProblem('amount', amount, decimals, config.money);
      if (problem) throw new InvalidCommandError([problem]);
      return [
        {
          type: 'OpportunityWon',
          data: { opportunityId: state.opportunityId, leadId: state.leadId, amount, currency: state.currency, occurredAt: command.occurredAt },
        },
      ];
    }
    case 'LoseOpportunity':
      if (!command.reason?.trim()) throw new InvalidCommandError([{ field: 'reason', reason: 'must not be empty' }]);
      return [
        {
          type: 'OpportunityLost',
          data: {
            opportunityId: state.opportunityId,
            leadId: state.leadId,
            reason: command.reason,
            note: command.note,
            stage: state.stage,
            occurredAt: command.occurredAt,
          },
        },
      ];
    default:
      return assertNever(command, 'opportunity command');
  }
}

/** Once per idle spell: only an open opportunity still in the spell's stage, since the spell's start, not yet marked. */
function stalled(command: MarkOpportunityStalled, state: OpportunityState): OpportunityEvent[] {
  if (state.status !== 'open' || state.stage !== command.stage || state.stageEnteredAt !== command.idleSince || state.stalledAt) return [];
  const { stage, idleSince, stalledAfter, occurredAt } = command;
  return [{ type: 'OpportunityStalled', data: { opportunityId: state.opportunityId, leadId: state.leadId, stage, idleSince, stalledAfter, occurredAt } }];
}

function describe(command: OpportunityCommand): string {
  switch (command.type) {
    case 'OpenOpportunity':
      return 'open';
    case 'ChangeOpportunityStage':
      return `move to stage ${command.stage}`;
    case 'WinOpportunity':
      return 'win';
    case 'LoseOpportunity':
      return 'lose';
    case 'MarkOpportunityStalled':
      return 'mark stalled';
    default:
      return assertNever(command, 'opportunity command');
  }
}
