import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { PromoteToSQL } from '@lead-lifecycle/domain';
import { CommandContext } from '../infrastructure/command-context';
import { CommandResult } from './command-result';
import { LeadCommandRunner } from './lead-command.runner';

export class PromoteToSqlCommand extends Command<CommandResult> {
  constructor(
    readonly leadId: string,
    readonly input: Omit<PromoteToSQL, 'type'>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(PromoteToSqlCommand)
export class PromoteToSqlHandler implements ICommandHandler<PromoteToSqlCommand, CommandResult> {
  constructor(private readonly runner: LeadCommandRunner) {}

  execute({ leadId, input, context }: PromoteToSqlCommand): Promise<CommandResult> {
    return this.runner.run(leadId, { ...input, type: 'PromoteToSQL' }, context);
  }
}
