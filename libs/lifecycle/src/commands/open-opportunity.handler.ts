import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { OpenOpportunityForLead } from '@lead-lifecycle/domain';
import { CommandContext } from '../infrastructure/command-context';
import { CommandResult } from './command-result';
import { LeadCommandRunner } from './lead-command.runner';

export class OpenOpportunityCommand extends Command<CommandResult> {
  constructor(
    readonly leadId: string,
    readonly input: Omit<OpenOpportunityForLead, 'type'>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(OpenOpportunityCommand)
export class OpenOpportunityHandler implements ICommandHandler<OpenOpportunityCommand, CommandResult> {
  constructor(private readonly runner: LeadCommandRunner) {}

  execute({ leadId, input, context }: OpenOpportunityCommand): Promise<CommandResult> {
    return this.runner.run(leadId, { ...input, type: 'OpenOpportunityForLead' }, context);
  }
}
