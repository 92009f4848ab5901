import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AssignLead } from '@lead-lifecycle/domain';
import { CommandContext } from '../infrastructure/command-context';
import { CommandResult } from './command-result';
import { LeadCommandRunner } from './lead-command.runner';

export class AssignLeadCommand extends Command<CommandResult> {
  constructor(
    readonly leadId: string,
    readonly input: Omit<AssignLead, 'type'>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(AssignLeadCommand)
export class AssignLeadHandler implements ICommandHandler<AssignLeadCommand, CommandResult> {
  constructor(private readonly runner: LeadCommandRunner) {}

  execute({ leadId, input, context }: AssignLeadCommand): Promise<CommandResult> {
    return this.runner.run(leadId, { ...input, type: 'AssignLead' }, context);
  }
}
