import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { WinOpportunity } from '@lead-lifecycle/domain';
import { CommandContext } from '../infrastructure/command-context';
import { CommandResult } from './command-result';
import { OpportunityCommandRunner } from './opportunity-command.runner';

export class WinOpportunityCommand extends Command<CommandResult> {
  constructor(
    readonly opportunityId: string,
    readonly input: Omit<WinOpportunity, 'type'>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(WinOpportunityCommand)
export class WinOpportunityHandler implements ICommandHandler<WinOpportunityCommand, CommandResult> {
  constructor(private readonly runner: OpportunityCommandRunner) {}

  execute({ opportunityId, input, context }: WinOpportunityCommand): Promise<CommandResult> {
    return this.runner.run(opportunityId, { ...input, type: 'WinOpportunity' }, context);
  }
}
