import { Inject, Injectable } from '@nestjs/common';
import { decideOpportunity, LifecycleConfig, OpportunityCommand, opportunityStreamId } from '@lead-lifecycle/domain';
import { EngineConfig } from '../config/engine.config';
import { CommandContext } from '../infrastructure/command-context';
import { LeadRepository, OpportunityRepository, requireOpportunityOfTenant } from '../infrastructure/repositories';
import { requireOpportunityInOwnerScope } from '../infrastructure/opportunity-owner-scope';
import { ENGINE_CONFIG, LIFECYCLE_CONFIG } from '../lifecycle.tokens';
import { OpportunityLifecycleReaction } from '../reactions/opportunity-lifecycle.reaction';
import { BusinessTimeGuard } from './business-time.guard';
import { CommandResult, coveringPositions, resultOf } from './command-result';
import { preflightReactions, reactInline } from './inline-reaction';

/** Same path as LeadCommandRunner, for commands on an opportunity. */
@Injectable()
export class OpportunityCommandRunner {
  @Inject(BusinessTimeGuard) private readonly businessTime: BusinessTimeGuard;
  constructor(
    private readonly opportunities: OpportunityRepository,
    private readonly leads: LeadRepository,
    private readonly reaction: OpportunityLifecycleReaction,
    @Inject(LIFECYCLE_CONFIG) private readonly config: LifecycleConfig,
    @Inject(ENGINE_CONFIG) private readonly engine: EngineConfig,
  ) {}

  async run(opportunityId: string, command: OpportunityCommand, context: CommandContext): Promise<CommandResult> {
    this.businessTime.check(command);
    const streamId = opportunityStreamId(opportunityId);
    if (context.ownerScope) await requireOpportunityInOwnerScope(this.opportunities, this.leads, context, opportunityId);
    const decided = await this.opportunities.handle(
      streamId,
      (state) => {
        requireOpportunityOfTenant(state, context.tenantId, opportunityId);
        return decideOpportunity(command, state, this.config);
      },
      { ...context, command: context.command ?? command.type },
      { maxRetries: this.engine.COMMAND_MAX_RETRIES, preflight: (events) => preflightReactions(this.reaction, events) },
    );
    return coveringPositions(resultOf(streamId, decided), await reactInline(this.reaction, decided.appended));
  }
}
