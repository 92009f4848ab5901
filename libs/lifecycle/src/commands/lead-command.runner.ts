import { Inject, Injectable } from '@nestjs/common';
import { decideLead, LeadCommand, leadStreamId, LifecycleConfig } from '@lead-lifecycle/domain';
import { EngineConfig } from '../config/engine.config';
import { CommandContext } from '../infrastructure/command-context';
import { LeadRepository, requireLeadOfTenant } from '../infrastructure/repositories';
import { ENGINE_CONFIG, LIFECYCLE_CONFIG } from '../lifecycle.tokens';
import { OpportunityLifecycleReaction } from '../reactions/opportunity-lifecycle.reaction';
import { BusinessTimeGuard } from './business-time.guard';
import { CommandResult, resultOf } from './command-result';

/**
 * The one path of every command on an existing lead: load, check the tenant, decide, append with the
 * expected revision, then run the opportunity reaction inline so the response reflects both streams.
 */
@Injectable()
export class LeadCommandRunner {
  @Inject(BusinessTimeGuard) private readonly businessTime: BusinessTimeGuard;
  constructor(
    private readonly leads: LeadRepository,
    private readonly reaction: OpportunityLifecycleReaction,
    @Inject(LIFECYCLE_CONFIG) private readonly config: LifecycleConfig,
    @Inject(ENGINE_CONFIG) private readonly engine: EngineConfig,
  ) {}

  async run(leadId: string, command: LeadCommand, context: CommandContext): Promise<CommandResult> {
    this.businessTime.check(command);
    const streamId = leadStreamId(leadId);
    const decided = await this.leads.handle(
      streamId,
      (state) => decideLead(command, requireLeadOfTenant(state, context.tenantId, leadId), this.config),
      { ...context, command: context.command ?? command.type },
      { maxRetries: this.engine.COMMAND_MAX_RETRIES },
    );
    for (const event of decided.appended) await this.reaction.react(event);
    return resultOf(streamId, decided);
  }
}
