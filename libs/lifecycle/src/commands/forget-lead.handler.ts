import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ForgetLead } from '@lead-lifecycle/domain';
import type { KeyStore } from '@lead-lifecycle/eventing';
import { CommandContext } from '../infrastructure/command-context';
import { KEY_STORE } from '../lifecycle.tokens';
import { CommandResult } from './command-result';
import { LeadCommandRunner } from './lead-command.runner';

export class ForgetLeadCommand extends Command<CommandResult> {
  constructor(
    readonly leadId: string,
    readonly input: Omit<ForgetLead, 'type'>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * Records PersonalDataErased, then destroys the lead's keys: from then on every copy of its contact in
 * the log reads as erased. The key goes after the event, so an erasure is never without its record;
 * repeating the request after a crash in between destroys the key then.
 */
@CommandHandler(ForgetLeadCommand)
export class ForgetLeadHandler implements ICommandHandler<ForgetLeadCommand, CommandResult> {
  constructor(
    private readonly runner: LeadCommandRunner,
    @Inject(KEY_STORE) private readonly keys: KeyStore,
  ) {}

  async execute({ leadId, input, context }: ForgetLeadCommand): Promise<CommandResult> {
    const result = await this.runner.run(leadId, { ...input, type: 'ForgetLead' }, context);
    await this.keys.destroy(leadId);
    return result;
  }
}
