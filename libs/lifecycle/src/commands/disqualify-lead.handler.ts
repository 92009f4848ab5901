import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DisqualifyLead } from '@lead-lifecycle/domain';
import { CommandContext } from '../infrastructure/command-context';
import { CommandResult } from './command-result';
import { LeadCommandRunner } from './lead-command.runner';

export class DisqualifyLeadCommand extends Command<CommandResult> {
  constructor(
    readonly leadId: string,
    readonly input: Omit<DisqualifyLead, 'type'>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(DisqualifyLeadCommand)
export class DisqualifyLeadHandler implements ICommandHandler<DisqualifyLeadCommand, CommandResult> {
  constructor(private readonly runner: LeadCommandRunner) {}

  execute({ leadId, input, context }: DisqualifyLeadCommand): Promise<CommandResult> {
    return this.runner.run(leadId, { ...input, type: 'DisqualifyLead' }, context);
  }
}
