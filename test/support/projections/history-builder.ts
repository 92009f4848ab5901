import { randomUUID } from 'node:crypto';
import {
  type BantAssessment,
  type CompanyProfile,
  type Contact,
  DEFAULT_LIFECYCLE_CONFIG,
  type DisqualificationReason,
  DomainError,
  DomainErrorCode,
  decideLead,
  decideOpportunity,
  decodeLeadEvent,
  decodeOpportunityEvent,
  evolveLead,
  evolveOpportunity,
  identitiesOf,
  initialLeadState,
  initialOpportunityState,
  type LeadCommand,
  type LeadEvent,
  type LeadSource,
  type LeadState,
  leadStreamId,
  type LifecycleConfig,
  normaliseContact,
  type OpportunityCommand,
  type OpportunityEvent,
  type OpportunityState,
  opportunityStreamId,
} from '@lead-lifecycle/domain';
import type { EventStore, ExpectedRevision, GlobalPosition, NewEvent, StoredEvent } from '@lead-lifecycle/eventing';
import { type CommandContext, LeadIdentityRegistry, OpportunityLifecycleReaction, toNewEvents } from '@lead-lifecycle/lifecycle';

/**
 * Builds event histories the way the engine does: the REAL deciders (decideLead / decideOpportunity)
 * decide on the state folded from the stream, the events are wrapped with toNewEvents (metadata with
 * tenantId, actor, correlation and causation ids) and appended to the store with the expected revision,
 * then the OpportunityLifecycleReaction writes the other stream (OpportunityOpenedForLead ->
 * OpportunityOpened, OpportunityWon -> ConvertedToCustomer, OpportunityLost -> OpportunityLostForLead),
 * exactly as LeadCommandRunner / OpportunityCommandRunner do after a command.
 *
 * Refusals of the deciders are thrown as they are (DomainError); `try*` variants return `undefined`
 * instead, for generators that fire random commands and keep only the valid ones.
 */
export interface HistoryBuilderOptions {
  readonly config?: LifecycleConfig;
  /** Recorded in every event's metadata. */
  readonly actor?: string;
  /**
   * Reserve each captured lead's email, phone and externalId in `lead_identity-*` streams first, like the
   * capture handler: the global order then also holds events that no projection reads. Default true.
   */
  readonly reserveIdentities?: boolean;
}

/** What one command did. */
export interface Outcome {
  /** Types of the events the command appended to its own stream (empty when it changed nothing). */
  readonly events: string[];
  /** Types of the events the reaction appended to the other stream. */
  readonly reacted: string[];
  /** Global position of the last event written (by the command or its reaction). */
  readonly position?: GlobalPosition;
}

export interface CaptureInput {
  readonly tenantId: string;
  readonly leadId: string;
  readonly at: string;
  readonly source: LeadSource;
  readonly contact?: Contact;
  readonly externalId?: string;
  readonly jobTitle?: string;
  readonly company?: CompanyProfile;
  readonly attributes?: Record<string, unknown>;
}

export const ALL_BANT_MET: BantAssessment = {
  budget: { met: true },
  authority: { met: true },
  need: { met: true },
  timeline: { met: true },
};

/** ISO time `days` days (and optional hours/minutes) after `base`. */
export function isoAt(base: string, days: number, hours = 0, minutes = 0): string {
  return new Date(Date.parse(base) + ((days * 24 + hours) * 60 + minutes) * 60_000).toISOString();
}

export class HistoryBuilder {
  readonly config: LifecycleConfig;
  private readonly actor: string;
  private readonly reserveIdentities: boolean;
  private readonly reaction: OpportunityLifecycleReaction;
  private readonly identities: LeadIdentityRegistry;
  /** Tenant of every lead and opportunity written through this builder. */
  private readonly tenants = new Map<string, string>();

  constructor(
    readonly store: EventStore,
    options: HistoryBuilderOptions = {},
  ) {
    this.config = options.config ?? DEFAULT_LIFECYCLE_CONFIG;
    this.actor = options.actor ?? 'history-builder';
    this.reserveIdentities = options.reserveIdentities ?? true;
    this.reaction = new OpportunityLifecycleReaction(store, this.config);
    this.identities = new LeadIdentityRegistry(store);
  }

  tenantOfLead(leadId: string): string {
    const tenantId = this.tenants.get(leadStreamId(leadId));
    if (!tenantId) throw new DomainError(DomainErrorCode.LeadNotFound, `lead ${leadId} was not captured by this builder`);
    return tenantId;
  }

  tenantOfOpportunity(opportunityId: string): string {
    const tenantId = this.tenants.get(opportunityStreamId(opportunityId));
    if (!tenantId) throw new DomainError(DomainErrorCode.OpportunityNotFound, `opportunity ${opportunityId} was not opened by this builder`);
    return tenantId;
  }

  async leadState(leadId: string): Promise<LeadState> {
    return (await this.load(leadStreamId(leadId), initialLeadState, evolveLead, decodeLeadEvent)).state;
  }

  async opportunityState(opportunityId: string): Promise<OpportunityState> {
    return (await this.load(opportunityStreamId(opportunityId), initialOpportunityState, evolveOpportunity, decodeOpportunityEvent)).state;
  }

  // ---- generic commands -------------------------------------------------------------------------

  /** Decides `command` on the lead stream with decideLead and appends; then runs the reaction. */
  async lead(tenantId: string, leadId: string, command: LeadCommand): Promise<Outcome> {
    const streamId = leadStreamId(leadId);
    const loaded = await this.load(streamId, initialLeadState, evolveLead, decodeLeadEvent);
    if (command.type !== 'CaptureLead' && loaded.state.stage !== 'none' && loaded.state.tenantId !== tenantId) {
      throw new DomainError(DomainErrorCode.LeadNotFound, `lead ${leadId} not found`);
    }
    const decided = decideLead(command, loaded.state, this.config);
    const outcome = await this.append(streamId, decided, loaded.revision, tenantId, command.type);
    if (decided.length) this.tenants.set(streamId, tenantId);
    return outcome;
  }

  /** Decides `command` on the opportunity stream with decideOpportunity and appends; then runs the reaction. */
  async opportunity(opportunityId: string, command: OpportunityCommand): Promise<Outcome> {
    const tenantId = this.tenantOfOpportunity(opportunityId);
    const streamId = opportunityStreamId(opportunityId);
    const loaded = await this.load(streamId, initialOpportunityState, evolveOpportunity, decodeOpportunityEvent);
    const decided = decideOpportunity(command, loaded.state, this.config);
    return this.append(streamId, decided, loaded.revision, tenantId, command.type);
  }

  /** Like `lead`, but a refusal by the decider (a DomainError) returns undefined. */
  async tryLead(tenantId: string, leadId: string, command: LeadCommand): Promise<Outcome | undefined> {
    return refusedAsUndefined(() => this.lead(tenantId, leadId, command));
  }

  /** Like `opportunity`, but a refusal by the decider (a DomainError) returns undefined. */
  async tryOpportunity(opportunityId: string, command: OpportunityCommand): Promise<Outcome | undefined> {
    return refusedAsUndefined(() => this.opportunity(opportunityId, command));
  }

  // ---- conveniences -----------------------------------------------------------------------------

  async capture(input: CaptureInput): Promise<Outcome> {
    const contact = input.contact ?? { email: `${input.leadId.toLowerCase()}@example.com` };
    const normalised = normaliseContact(contact, this.config.phone.defaultCountryCode);
    const identities = identitiesOf(normalised, input.externalId);
    const command: LeadCommand = {
      type: 'CaptureLead',
      leadId: input.leadId,
      tenantId: input.tenantId,
      contact,
      externalId: input.externalId,
      jobTitle: input.jobTitle,
      company: input.company,
      source: input.source,
      attributes: input.attributes,
      matchedOn: (await this.leadState(input.leadId)).stage === 'none' ? undefined : identities.map((i) => i.kind),
      occurredAt: input.at,
    };
    // Refuse bad input before anything is written, like the capture handler.
    decideLead(command, initialLeadState, this.config);
    if (this.reserveIdentities && (await this.leadState(input.leadId)).stage === 'none') {
      await this.identities.reserve(input.tenantId, identities, input.leadId, input.at, this.context(input.tenantId, 'CaptureLead'));
    }
    return this.lead(input.tenantId, input.leadId, command);
  }

  engage(leadId: string, activityType: string, at: string, properties?: Record<string, unknown>): Promise<Outcome> {
    return this.lead(this.tenantOfLead(leadId), leadId, { type: 'RecordEngagement', activityType, properties, occurredAt: at });
  }

  rescore(leadId: string, at: string): Promise<Outcome> {
    return this.lead(this.tenantOfLead(leadId), leadId, { type: 'RescoreLead', occurredAt: at });
  }

  promote(leadId: string, at: string, bant: BantAssessment = ALL_BANT_MET, qualifiedBy = 'sales-1'): Promise<Outcome> {
    return this.lead(this.tenantOfLead(leadId), leadId, { type: 'PromoteToSQL', bant, qualifiedBy, occurredAt: at });
  }

  assign(leadId: string, ownerId: string, at: string): Promise<Outcome> {
    return this.lead(this.tenantOfLead(leadId), leadId, { type: 'AssignLead', ownerId, occurredAt: at });
  }

  disqualify(leadId: string, reason: DisqualificationReason, at: string, note?: string): Promise<Outcome> {
    return this.lead(this.tenantOfLead(leadId), leadId, { type: 'DisqualifyLead', reason, note, occurredAt: at });
  }

  recycle(leadId: string, at: string, reason?: string): Promise<Outcome> {
    return this.lead(this.tenantOfLead(leadId), leadId, { type: 'RecycleLead', reason, occurredAt: at });
  }

  openOpportunity(
    leadId: string,
    opportunityId: string,
    input: { amount: number; currency: string; at: string; name?: string; expectedCloseDate?: string },
  ): Promise<Outcome> {
    const tenantId = this.tenantOfLead(leadId);
    this.tenants.set(opportunityStreamId(opportunityId), tenantId);
    return this.lead(tenantId, leadId, {
      type: 'OpenOpportunityForLead',
      opportunityId,
      name: input.name,
      amount: input.amount,
      currency: input.currency,
      expectedCloseDate: input.expectedCloseDate,
      occurredAt: input.at,
    });
  }

  moveOpportunity(opportunityId: string, stage: string, at: string): Promise<Outcome> {
    return this.opportunity(opportunityId, { type: 'ChangeOpportunityStage', stage, occurredAt: at });
  }

  win(opportunityId: string, at: string, amount?: number): Promise<Outcome> {
    return this.opportunity(opportunityId, { type: 'WinOpportunity', amount, occurredAt: at });
  }

  lose(opportunityId: string, reason: string, at: string, note?: string): Promise<Outcome> {
    return this.opportunity(opportunityId, { type: 'LoseOpportunity', reason, note, occurredAt: at });
  }

  // ---- internals --------------------------------------------------------------------------------

  private context(tenantId: string, command: string): CommandContext {
    return { tenantId, actor: this.actor, correlationId: randomUUID(), causationId: randomUUID(), command };
  }

  private async load<S, E extends LeadEvent | OpportunityEvent>(
    streamId: string,
    initial: S,
    evolve: (state: S, event: E) => S,
    decode: (stored: StoredEvent) => E,
  ): Promise<{ state: S; revision: bigint | undefined }> {
    const events: StoredEvent[] = await this.store.readStream(streamId);
    const state = events.reduce((s, stored) => evolve(s, decode(stored)), initial);
    return { state, revision: events.length ? events[events.length - 1].revision : undefined };
  }

  private async append(
    streamId: string,
    decided: readonly (LeadEvent | OpportunityEvent)[],
    revision: bigint | undefined,
    tenantId: string,
    command: string,
  ): Promise<Outcome> {
    if (decided.length === 0) return { events: [], reacted: [] };
    const appended: NewEvent[] = toNewEvents(decided, this.context(tenantId, command));
    const expected: ExpectedRevision = revision === undefined ? 'no_stream' : revision;
    const result = await this.store.appendToStream(streamId, appended, expected);
    let position = result.position;
    const reacted: string[] = [];
    for (const event of appended) {
      const before = await this.store.headPosition();
      await this.reaction.react(event);
      const after = await this.store.headPosition();
      if (after.commit !== before.commit) {
        position = after;
        const written = await this.store.readAll({ after: before, maxCount: 100 });
        reacted.push(...written.map((e) => e.type));
      }
    }
    return { events: appended.map((e) => e.type), reacted, position };
  }
}

async function refusedAsUndefined<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) return undefined;
    throw error;
  }
}
