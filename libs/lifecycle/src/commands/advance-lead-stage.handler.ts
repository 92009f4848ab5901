import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AdvanceLeadStage } from '@lead-lifecycle/domain';
import { CommandContext } from '../infrastructure/command-context';
import { CommandResult } from './command-result';
import { LeadCommandRunner } from './lead-command.runner';

/**
 * Moves a lead one stage forward through the host's own stages (lifecycleConfig.stages): to the next
 * stage before `lead` or into `lead`, or from `customer` to the next stage after it. Any other move is
 * refused with a LifecycleError (409); asking for the lead's current stage appends nothing.
 */
export class AdvanceLeadStageCommand extends Command<CommandResult> {
  constructor(
    readonly leadId: string,
    readonly input: Omit<AdvanceLeadStage, 'type'>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(AdvanceLeadStageCommand)
export class AdvanceLeadStageHandler implements ICommandHandler<AdvanceLeadStageCommand, CommandResult> {
  constructor(private readonly runner: LeadCommandRunner) {}

  execute({ leadId, input, context }: AdvanceLeadStageCommand): Promise<CommandResult> {
    return this.runner.run(leadId, { ...input, type: 'AdvanceLeadStage' }, context);
  }
}
