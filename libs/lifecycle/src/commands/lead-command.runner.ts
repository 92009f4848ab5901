import { Inject, Injectable } from '@nestjs/common';
import { decideLead, LeadCommand, LeadEvent, LeadState, leadStreamId, LifecycleConfig } from '@lead-lifecycle/domain';
import { EngineConfig } from '../config/engine.config';
import { LeadRepository, requireLeadOfTenant } from '../infrastructure/repositories';
import { ENGINE_CONFIG, LIFECYCLE_CONFIG } from '../lifecycle.tokens';
import { OpportunityLifecycleReaction } from '../reactions/opportunity-lifecycle.reaction';
import { AggregateCommandRunner } from './aggregate-command.runner';

/** The command runner of leads: a lead of another tenant, or outside the caller's owner scope, is not found. */
@Injectable()
export class LeadCommandRunner extends AggregateCommandRunner<LeadState, LeadCommand, LeadEvent> {
  constructor(
    leads: LeadRepository,
    reaction: OpportunityLifecycleReaction,
    @Inject(LIFECYCLE_CONFIG) config: LifecycleConfig,
    @Inject(ENGINE_CONFIG) engine: EngineConfig,
  ) {
    super(
      {
        repository: leads,
        streamId: leadStreamId,
        decide: (command, state, leadId, context) =>
          decideLead(command, requireLeadOfTenant(state, context.tenantId, leadId, context.ownerScope), config),
      },
      reaction,
      engine,
    );
  }
}
