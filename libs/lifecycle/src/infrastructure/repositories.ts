import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  decodeLeadEvent,
  decodeOpportunityEvent,
  DomainError,
  DomainErrorCode,
  evolveLead,
  evolveOpportunity,
  ExistingLead,
  initialLeadState,
  initialOpportunityState,
  LeadEvent,
  LeadState,
  OpportunityEvent,
  OpportunityState,
} from '@lead-lifecycle/domain';
import type { EventStore } from '@lead-lifecycle/eventing';
import { EngineConfig } from '../config/engine.config';
import { ENGINE_CONFIG, EVENT_STORE } from '../lifecycle.tokens';
import { AggregateRepository } from './aggregate-repository';
import type { OwnerScope } from './command-context';

@Injectable()
export class LeadRepository extends AggregateRepository<LeadState, LeadEvent> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Optional() @Inject(ENGINE_CONFIG) engine?: EngineConfig) {
    super(store, { initialState: initialLeadState, evolve: evolveLead, decode: decodeLeadEvent }, { cachedStreams: engine?.CACHED_STREAMS });
  }
}

@Injectable()
export class OpportunityRepository extends AggregateRepository<OpportunityState, OpportunityEvent> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Optional() @Inject(ENGINE_CONFIG) engine?: EngineConfig) {
    super(store, { initialState: initialOpportunityState, evolve: evolveOpportunity, decode: decodeOpportunityEvent }, { cachedStreams: engine?.CACHED_STREAMS });
  }
}

/**
 * Another tenant's lead is answered exactly like a lead that does not exist; so is, for an owner-scoped
 * caller (`ownerScope`), a lead that another owner owns.
 */
export function requireLeadOfTenant(state: LeadState, tenantId: string, leadId: string, ownerScope?: OwnerScope): ExistingLead {
  if (state.stage === 'none' || state.tenantId !== tenantId || !withinOwnerScope(state.ownerId, ownerScope)) {
    throw new DomainError(DomainErrorCode.LeadNotFound, `lead ${leadId} not found`, { leadId });
  }
  return state;
}

export function requireOpportunityOfTenant(state: OpportunityState, tenantId: string, opportunityId: string): Exclude<OpportunityState, { status: 'none' }> {
  if (state.status === 'none' || state.tenantId !== tenantId) {
    throw new DomainError(DomainErrorCode.OpportunityNotFound, `opportunity ${opportunityId} not found`, { opportunityId });
  }
  return state;
}

/** Whether a lead owned by `ownerId` (undefined: unassigned) is within the scope (none: every lead). */
export function withinOwnerScope(ownerId: string | null | undefined, scope: OwnerScope | undefined): boolean {
  return !scope || ownerId === undefined || ownerId === null || ownerId === scope.ownerId;
}
