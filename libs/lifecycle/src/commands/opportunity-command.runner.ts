import { Inject, Injectable } from '@nestjs/common';
import { decideOpportunity, LifecycleConfig, OpportunityCommand, OpportunityEvent, OpportunityState, opportunityStreamId } from '@lead-lifecycle/domain';
import { EngineConfig } from '../config/engine.config';
import { requireOpportunityInOwnerScope } from '../infrastructure/opportunity-owner-scope';
import { LeadRepository, OpportunityRepository, requireOpportunityOfTenant } from '../infrastructure/repositories';
import { ENGINE_CONFIG, LIFECYCLE_CONFIG } from '../lifecycle.tokens';
import { OpportunityLifecycleReaction } from '../reactions/opportunity-lifecycle.reaction';
import { AggregateCommandRunner } from './aggregate-command.runner';

/** The command runner of opportunities: an owner-scoped caller reaches only the opportunities of its leads. */
@Injectable()
export class OpportunityCommandRunner extends AggregateCommandRunner<OpportunityState, OpportunityCommand, OpportunityEvent> {
  constructor(
    opportunities: OpportunityRepository,
    leads: LeadRepository,
    reaction: OpportunityLifecycleReaction,
    @Inject(LIFECYCLE_CONFIG) config: LifecycleConfig,
    @Inject(ENGINE_CONFIG) engine: EngineConfig,
  ) {
    super(
      {
        repository: opportunities,
        streamId: opportunityStreamId,
        admit: async (opportunityId, context) => {
          if (context.ownerScope) await requireOpportunityInOwnerScope(opportunities, leads, context, opportunityId);
        },
        decide: (command, state, opportunityId, context) => {
          requireOpportunityOfTenant(state, context.tenantId, opportunityId);
          return decideOpportunity(command, state, config);
        },
      },
      reaction,
      engine,
    );
  }
}
