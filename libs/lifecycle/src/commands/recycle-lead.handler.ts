import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RecycleLead } from '@lead-lifecycle/domain';
import { CommandContext } from '../infrastructure/command-context';
import { CommandResult } from './command-result';
import { LeadCommandRunner } from './lead-command.runner';

export class RecycleLeadCommand extends Command<CommandResult> {
  constructor(
    readonly leadId: string,
    readonly input: Omit<RecycleLead, 'type'>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RecycleLeadCommand)
export class RecycleLeadHandler implements ICommandHandler<RecycleLeadCommand, CommandResult> {
  constructor(private readonly runner: LeadCommandRunner) {}

  execute({ leadId, input, context }: RecycleLeadCommand): Promise<CommandResult> {
    return this.runner.run(leadId, { ...input, type: 'RecycleLead' }, context);
  }
}
