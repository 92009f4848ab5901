import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ChangeOpportunityStage } from '@lead-lifecycle/domain';
import { CommandContext } from '../infrastructure/command-context';
import { CommandResult } from './command-result';
import { OpportunityCommandRunner } from './opportunity-command.runner';

export class ChangeOpportunityStageCommand extends Command<CommandResult> {
  constructor(
    readonly opportunityId: string,
    readonly input: Omit<ChangeOpportunityStage, 'type'>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ChangeOpportunityStageCommand)
export class ChangeOpportunityStageHandler implements ICommandHandler<ChangeOpportunityStageCommand, CommandResult> {
  constructor(private readonly runner: OpportunityCommandRunner) {}

  execute({ opportunityId, input, context }: ChangeOpportunityStageCommand): Promise<CommandResult> {
    return this.runner.run(opportunityId, { ...input, type: 'ChangeOpportunityStage' }, context);
  }
}
