import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RescoreLead } from '@lead-lifecycle/domain';
import { CommandContext } from '../infrastructure/command-context';
import { CommandResult } from './command-result';
import { LeadCommandRunner } from './lead-command.runner';

export class RescoreLeadCommand extends Command<CommandResult> {
  constructor(
    readonly leadId: string,
    readonly input: Omit<RescoreLead, 'type'>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RescoreLeadCommand)
export class RescoreLeadHandler implements ICommandHandler<RescoreLeadCommand, CommandResult> {
  constructor(private readonly runner: LeadCommandRunner) {}

  execute({ leadId, input, context }: RescoreLeadCommand): Promise<CommandResult> {
    return this.runner.run(leadId, { ...input, type: 'RescoreLead' }, context);
  }
}
