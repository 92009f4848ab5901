import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RecordEngagement } from '@lead-lifecycle/domain';
import { CommandContext } from '../infrastructure/command-context';
import { CommandResult } from './command-result';
import { LeadCommandRunner } from './lead-command.runner';

export class RecordEngagementCommand extends Command<CommandResult> {
  constructor(
    readonly leadId: string,
    readonly input: Omit<RecordEngagement, 'type'>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RecordEngagementCommand)
export class RecordEngagementHandler implements ICommandHandler<RecordEngagementCommand, CommandResult> {
  constructor(private readonly runner: LeadCommandRunner) {}

  execute({ leadId, input, context }: RecordEngagementCommand): Promise<CommandResult> {
    return this.runner.run(leadId, { ...input, type: 'RecordEngagement' }, context);
  }
}
