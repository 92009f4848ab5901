import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { LoseOpportunity } from '@lead-lifecycle/domain';
import { CommandContext } from '../infrastructure/command-context';
import { CommandResult } from './command-result';
import { OpportunityCommandRunner } from './opportunity-command.runner';

export class LoseOpportunityCommand extends Command<CommandResult> {
  constructor(
    readonly opportunityId: string,
    readonly input: Omit<LoseOpportunity, 'type'>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(LoseOpportunityCommand)
export class LoseOpportunityHandler implements ICommandHandler<LoseOpportunityCommand, CommandResult> {
  constructor(private readonly runner: OpportunityCommandRunner) {}

  execute({ opportunityId, input, context }: LoseOpportunityCommand): Promise<CommandResult> {
    return this.runner.run(opportunityId, { ...input, type: 'LoseOpportunity' }, context);
  }
}
