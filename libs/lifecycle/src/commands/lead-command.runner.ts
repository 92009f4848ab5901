import { Inject, Injectable } from '@nestjs/common';
import { decideLead, LeadCommand, leadStreamId, LifecycleConfig } from '@lead-lifecycle/domain';
import { EngineConfig } from '../config/engine.config';
import { CommandContext } from '../infrastructure/command-context';
import { LeadRepository, requireLeadOfTenant } from '../infrastructure/repositories';
import { ENGINE_CONFIG, LIFECYCLE_CONFIG } from '../lifecycle.tokens';
import { OpportunityLifecycleReaction } from '../reactions/opportunity-lifecycle.reaction';
import { BusinessTimeGuard } from './business-time.guard';
import { CommandResult, coveringPositions, resultOf } from './command-result';
import { preflightReactions, reactInline } from './inline-reaction';

/**
 * The one path of every command on an existing lead: load, check the tenant, decide, check that the
 * events and the opportunity reaction's follow-up can be stored, append with the expected revision,
 * then run the reaction inline so the response reflects both streams (a failure of that step is
 * logged, not answered: see reactInline) and its position covers both.
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
      (state) => decideLead(command, requireLeadOfTenant(state, context.tenantId, leadId, context.ownerScope), this.config),
      { ...context, command: context.command ?? command.type },
      { maxRetries: this.engine.COMMAND_MAX_RETRIES, preflight: (events) => preflightReactions(this.reaction, events) },
    );
    return coveringPositions(resultOf(streamId, decided), await reactInline(this.reaction, decided.appended));
  }
}
