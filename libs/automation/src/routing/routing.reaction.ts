import {
  type ExistingLead,
  type HostRoutingStrategy,
  decodeLeadEvent,
  decodeTeamEvent,
  decideLead,
  evolveLead,
  initialLeadState,
  isOpenLeadStage,
  LEAD_STREAM_PREFIX,
  type LeadEvent,
  type LeadRoutingCommand,
  type LeadState,
  leadStreamId,
  lifecycleMoveOf,
  type LifecycleConfig,
  type RoutingStrategy,
  type RoutingTrigger,
  type SlaBreached,
  TEAM_STREAM_PREFIX,
  type TeamEvent,
} from '@lead-lifecycle/domain';
import {
  CheckpointMovedError,
  comparePositions,
  type EventProcessor,
  type EventStore,
  type GlobalPosition,
  START_POSITION,
  type StoredEvent,
} from '@lead-lifecycle/eventing';
import { Logger } from '@nestjs/common';
import { AggregateRepository, type CommandContext, deterministicUuid } from '@lead-lifecycle/lifecycle';
import { hostChoiceOf, routingLeadFactsOf } from './host-routing-choice';
import { eligibleMembers, type MemberSnapshot, type Pick, pickMember } from './member-picker';
import { firstMatchingRule } from './routing-rules';
import type { RoutingStateStore } from './routing-state.store';

/** The processor (and checkpoint) name of the routing reaction. */
export const ROUTING_REACTION_NAME = 'reaction:routing';

/** The lead event that starts routing, per `routing.on`. */
export const ROUTING_TRIGGER_EVENTS: Readonly<Record<RoutingTrigger, LeadEvent['type']>> = {
  capture: 'LeadCaptured',
  mql: 'QualifiedAsMQL',
  sql: 'PromotedToSQL',
};

/** What a host plugs into the routing reaction (AutomationModule.forRoot `routing`). */
export interface RoutingReactionOptions {
  /** The host's choice of member at every team pick; default none: the configured strategies alone. */
  readonly strategy?: HostRoutingStrategy;
  /** Where a refused answer of the host strategy is reported; default Nest's logger. */
  readonly warn?: (message: string) => void;
}

/** One team pick: the members, the configured strategy, and what the host strategy is told about it. */
interface PickRequest {
  readonly leadId: string;
  readonly teamId: string;
  readonly strategy: RoutingStrategy;
  readonly reason: 'rule' | 'sla_escalation' | 'owner_unavailable';
  readonly ruleId?: string;
  readonly fromOwnerId?: string;
  /** The decision's id part (see execute): a decision already recorded under it is adopted, not asked again. */
  readonly idPart?: string;
}

/** The cause of a decision: the event it reacts to. */
interface Cause {
  readonly event: StoredEvent;
  readonly tenantId: string;
  /** Business time of the decision: eligibility (an away period's end) is judged at it, the same on every instance. */
  readonly at: string;
}

/**
 * Routes leads. It follows lead and team streams in the store's global order and keeps what it needs in
 * its own SQLite file (RoutingStateStore): team membership and availability, every lead's owner and
 * whether it is still open, the strategies' cursors and the queue, changed only in the transaction
 * that also moves its checkpoint. Because it handles one event after the other, two leads qualifying at
 * the same moment get consecutive turns, and a member's open leads are counted before the next pick.
 *
 * - On the configured trigger it evaluates the rules on the lead as of the trigger (first match wins)
 *   and appends LeadAssigned (reason `rule`) or LeadQueued (`no_matching_rule`, `no_eligible_member`).
 * - On SlaBreached with `onBreach: 'reassign'` it moves the lead to the next eligible member of its
 *   team other than the breaching owner (reason `sla_escalation`), or queues it (`sla_exhausted` after
 *   `sla.maxReassignments`, else `no_eligible_member`).
 * - When a member leaves a team (TeamMemberRemoved) or goes away indefinitely (away without `until`),
 *   every open lead it got by routing in that team moves to the next eligible member with the strategy
 *   that routed it (reason `owner_unavailable`), or waits in the queue (`owner_unavailable`, still with
 *   that owner). An away period with `until` moves nothing: the member comes back. Manual assignments,
 *   and leads a rule gave an owner directly, belong to no team and never move.
 * - When a member is added, comes back, or an owner's lead closes or moves away, the team's queue is
 *   retried, oldest first. A member back in the team gets its own leads still waiting as
 *   `owner_unavailable` back out of the queue.
 *
 * Every append derives its event ids from its cause and is decided on the lead as stored (a manual
 * assignment is never overwritten). The decision's effect on the state is taken from what the lead's
 * stream holds for that cause, so a restart in the middle of a batch, or a second instance with its
 * own state file, arrives at the same state and writes nothing twice.
 *
 * With a host strategy (`options.strategy`) each team pick asks it among the eligible members (the lead
 * as of the cause, so every instance asks the same); its answer is recorded as the LeadAssigned's owner.
 * Before asking, the pick looks for a decision already recorded for the same cause, and adopts it: a
 * rerun or a second instance never asks the strategy again. An answer it cannot use (a throw, a promise,
 * no eligible member) falls back to the configured strategy with a warning, so routing goes on.
 */
export class RoutingReaction implements EventProcessor {
  readonly name = ROUTING_REACTION_NAME;
  readonly streamPrefixes = [LEAD_STREAM_PREFIX, TEAM_STREAM_PREFIX];
  readonly commitsCheckpoint = true;
  private readonly leads: AggregateRepository<LeadState, LeadEvent>;

  constructor(
    store: EventStore,
    private readonly state: RoutingStateStore,
    private readonly config: LifecycleConfig,
    private readonly options: RoutingReactionOptions = {},
  ) {
    // Uncached: the command side writes these streams too; every decision is made on the stream as stored.
    this.leads = new AggregateRepository(store, { initialState: initialLeadState, evolve: evolveLead, decode: decodeLeadEvent }, { cachedStreams: 0 });
  }

  async handleBatch(events: StoredEvent[], checkpoint: GlobalPosition, after: GlobalPosition): Promise<void> {
    const db = this.state.db;
    // One transaction across the batch (its appends are awaited inside it): the state and the checkpoint
    // move together or not at all. A crash in between leaves appended events behind, which the rerun
    // finds on the lead's stream and adopts instead of deciding again.
    db.exec('BEGIN IMMEDIATE');
    try {
      this.assertCheckpointAt(after);
      for (const event of events) await this.apply(event);
      this.state.checkpoints.save(this.name, checkpoint);
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }

  private assertCheckpointAt(after: GlobalPosition): void {
    const stored = this.state.checkpoints.load(this.name) ?? START_POSITION;
    if (comparePositions(stored, after) !== 0) throw new CheckpointMovedError(this.name, stored, after);
  }

  private async apply(event: StoredEvent): Promise<void> {
    const tenantId = event.metadata.tenantId;
    if (event.streamId.startsWith(TEAM_STREAM_PREFIX)) return this.applyTeamEvent(decodeTeamEvent(event), { event, tenantId, at: event.metadata.occurredAt });
    const lead = decodeLeadEvent(event);
    const cause: Cause = { event, tenantId, at: lead.data.occurredAt };
    const freed = this.track(lead, tenantId, event.metadata.actor);
    if (lead.type === ROUTING_TRIGGER_EVENTS[this.config.routing.on]) await this.route(lead.data.leadId, cause);
    if (lead.type === 'SlaBreached' && lead.data.onBreach === 'reassign') await this.escalate(lead.data, cause);
    if (freed) for (const teamId of this.state.teamsOf(tenantId, freed)) await this.retryQueue(teamId, cause);
  }

  /** Folds a lead event into the state; answers the owner that lost an open lead (capacity freed), if any. */
  private track(event: LeadEvent, tenantId: string, actor: string): string | undefined {
    const { leadId } = event.data;
    const before = this.state.lead(tenantId, leadId);
    // This reaction's own decisions were adopted when their cause was handled (on every instance, and
    // on a rerun), with their effects on the queues; folding them again where the log has them, later,
    // would undo what happened in between (a lead queued, then routed by a retry before its LeadQueued
    // was read, would be queued again).
    if ((event.type === 'LeadAssigned' || event.type === 'LeadQueued') && actor === ROUTING_REACTION_NAME) return undefined;
    switch (event.type) {
      case 'LeadCaptured':
        this.state.captureLead(tenantId, leadId);
        return undefined;
      case 'LeadAssigned': {
        const { ownerId, teamId, strategy } = event.data;
        if (before?.ownerId === ownerId) return undefined;
        this.state.assign(tenantId, leadId, ownerId, teamId, strategy);
        return before?.open ? before.ownerId : undefined;
      }
      case 'LeadQueued': {
        const { reason, ruleId, teamId, occurredAt } = event.data;
        this.state.enqueue(tenantId, leadId, { reason, since: occurredAt, ruleId, teamId });
        return undefined;
      }
      default: {
        const move = lifecycleMoveOf(event.type);
        if (!move || !before) return undefined;
        const open = isOpenLeadStage(move.to);
        if (open !== before.open) this.state.setOpen(tenantId, leadId, open);
        return before.open && !open ? before.ownerId : undefined;
      }
    }
  }

  private async applyTeamEvent(event: TeamEvent, cause: Cause): Promise<void> {
    const { tenantId } = cause;
    const { teamId } = event.data;
    switch (event.type) {
      case 'TeamCreated':
        return;
      case 'TeamMemberAdded':
        this.state.addMember(tenantId, teamId, event.data.ownerId, event.data.capacity, event.data.weight);
        this.state.releaseToReturnedOwner(tenantId, teamId, event.data.ownerId);
        return this.retryQueue(teamId, cause);
      case 'TeamMemberRemoved':
        this.state.removeMember(tenantId, teamId, event.data.ownerId);
        return this.moveLeadsOff(teamId, event.data.ownerId, cause);
      case 'TeamMemberAvailabilityChanged': {
        const { ownerId, available, until } = event.data;
        this.state.setAvailability(tenantId, teamId, ownerId, available, until);
        if (available) {
          this.state.releaseToReturnedOwner(tenantId, teamId, ownerId);
          return this.retryQueue(teamId, cause);
        }
        // Away with `until` is a short absence: the leads stay (their SLAs still watch them).
        if (until === undefined) return this.moveLeadsOff(teamId, ownerId, cause);
        return;
      }
      default: {
        const unknown: never = event;
        throw new Error(`unexpected team event ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Routes a lead on the trigger, by the rules, as the lead was at the trigger. */
  private async route(leadId: string, cause: Cause): Promise<void> {
    // No rules: routing is off, and leads wait for a manual assignment without a LeadQueued each (which
    // would add an event to every qualified lead of a deployment that does not route).
    if (this.config.routing.rules.length === 0) return;
    const lead = await this.leadAsOf(leadId, cause.event);
    if (!lead || lead.ownerId !== undefined || !isOpenLeadStage(lead.stage)) return;
    const rule = firstMatchingRule(this.config.routing.rules, lead);
    if (!rule) return this.execute(leadId, cause, { type: 'QueueLead', reason: 'no_matching_rule', occurredAt: cause.at });
    if ('ownerId' in rule.assign) {
      return this.execute(leadId, cause, { type: 'RouteLead', reason: 'rule', ownerId: rule.assign.ownerId, ruleId: rule.id, occurredAt: cause.at });
    }
    const { teamId, strategy } = rule.assign;
    await this.assignInTeam(leadId, cause, { ruleId: rule.id, teamId, strategy });
  }

  /** Picks a member of the team and assigns, or queues the lead when nobody is eligible. */
  private async assignInTeam(
    leadId: string,
    cause: Cause,
    target: { ruleId?: string; teamId: string; strategy: RoutingStrategy },
    idPart?: string,
  ): Promise<boolean> {
    const { ruleId, teamId, strategy } = target;
    const pick = await this.pick(cause, this.state.members(cause.tenantId, teamId), { leadId, teamId, strategy, reason: 'rule', ruleId, idPart });
    const command: LeadRoutingCommand = pick
      ? { type: 'RouteLead', reason: 'rule', ownerId: pick.ownerId, ruleId, teamId, strategy, occurredAt: cause.at }
      : { type: 'QueueLead', reason: 'no_eligible_member', ruleId, teamId, occurredAt: cause.at };
    await this.execute(leadId, cause, command, { idPart });
    return pick !== undefined;
  }

  /** After a breached SLA with `reassign`: the next eligible member of the team, or the queue. */
  private async escalate(breach: SlaBreached['data'], cause: Cause): Promise<void> {
    const { leadId, ownerId: fromOwnerId, teamId } = breach;
    const routed = this.state.lead(cause.tenantId, leadId);
    const queue = (reason: 'sla_exhausted' | 'no_eligible_member') =>
      this.execute(leadId, cause, { type: 'QueueLead', reason, fromOwnerId, teamId, occurredAt: cause.at });
    if (breach.reassignments >= this.config.sla.maxReassignments) return queue('sla_exhausted');
    if (!teamId) return queue('no_eligible_member');
    const strategy: RoutingStrategy = (routed?.teamId === teamId ? routed.strategy : undefined) ?? 'round_robin';
    const members = this.state.members(cause.tenantId, teamId);
    const pick = await this.pick(cause, members, { leadId, teamId, strategy, reason: 'sla_escalation', fromOwnerId });
    if (!pick) return queue('no_eligible_member');
    await this.execute(leadId, cause, { type: 'RouteLead', reason: 'sla_escalation', ownerId: pick.ownerId, fromOwnerId, teamId, strategy, occurredAt: cause.at });
    // The breaching owner has one open lead fewer: its teams' queues may move.
    if (this.state.lead(cause.tenantId, leadId)?.ownerId !== fromOwnerId) await this.retryQueuesOf(fromOwnerId, cause);
  }

  /**
   * Routes the team's waiting leads, oldest first, while someone is eligible. A lead waiting as
   * `owner_unavailable` goes to anyone eligible but its owner; when nobody is, the next one is tried
   * (it may be its owner who is eligible), and it keeps waiting without a new LeadQueued.
   */
  private async retryQueue(teamId: string, cause: Cause): Promise<void> {
    for (const waiting of this.state.waitingFor(cause.tenantId, teamId)) {
      // A retry nested in this one (capacity freed by a move) may have routed it already.
      const now = this.state.lead(cause.tenantId, waiting.leadId);
      if (now?.queue?.teamId !== teamId || now.queue.reason !== waiting.reason) continue;
      const strategy = waiting.strategy ?? this.strategyOfRule(waiting.ruleId) ?? 'round_robin';
      if (waiting.reason === 'owner_unavailable' && waiting.ownerId !== undefined) {
        if (await this.moveInTeam(waiting.leadId, waiting.ownerId, { teamId, strategy }, cause, { queue: false })) {
          await this.retryQueuesOf(waiting.ownerId, cause, teamId);
        }
        continue;
      }
      const assigned = await this.assignInTeam(waiting.leadId, cause, { ruleId: waiting.ruleId, teamId, strategy }, waiting.leadId);
      if (!assigned) return;
    }
  }

  /** `ownerId` has one open lead fewer: the queues of its teams (but `except`) may move. */
  private async retryQueuesOf(ownerId: string, cause: Cause, except?: string): Promise<void> {
    for (const team of this.state.teamsOf(cause.tenantId, ownerId)) if (team !== except) await this.retryQueue(team, cause);
  }

  /**
   * `ownerId` left `teamId` or went away indefinitely: each open lead it got by routing there moves to
   * the next eligible member, with the strategy that routed it, or waits in the queue. One lead after
   * the other, so the moves take consecutive turns and respect every member's capacity.
   */
  private async moveLeadsOff(teamId: string, ownerId: string, cause: Cause): Promise<void> {
    let moved = false;
    for (const lead of this.state.routedLeadsOf(cause.tenantId, teamId, ownerId)) {
      // Already waiting for another member (away indefinitely, then removed): the queue has it.
      if (lead.queue?.reason === 'owner_unavailable') continue;
      const strategy = lead.strategy ?? 'round_robin';
      if (await this.moveInTeam(lead.leadId, ownerId, { teamId, strategy }, cause, { queue: true })) moved = true;
    }
    if (moved) await this.retryQueuesOf(ownerId, cause);
  }

  /**
   * Moves one lead of `fromOwnerId` to an eligible member of the team (LeadAssigned `owner_unavailable`),
   * or with `queue` queues it (LeadQueued `owner_unavailable`). Ids from the cause and the lead. Answers
   * whether the lead left `fromOwnerId`, as the stream has it.
   */
  private async moveInTeam(
    leadId: string,
    fromOwnerId: string,
    target: { teamId: string; strategy: RoutingStrategy },
    cause: Cause,
    options: { queue: boolean },
  ): Promise<boolean> {
    const { teamId, strategy } = target;
    const members = this.state.members(cause.tenantId, teamId);
    const idPart = `owner-unavailable:${leadId}`;
    const pick = await this.pick(cause, members, { leadId, teamId, strategy, reason: 'owner_unavailable', fromOwnerId, idPart });
    if (pick) {
      const command: LeadRoutingCommand = { type: 'RouteLead', reason: 'owner_unavailable', ownerId: pick.ownerId, fromOwnerId, teamId, strategy, occurredAt: cause.at };
      await this.execute(leadId, cause, command, { idPart });
    } else if (options.queue) {
      await this.execute(leadId, cause, { type: 'QueueLead', reason: 'owner_unavailable', fromOwnerId, teamId, occurredAt: cause.at }, { idPart, queueStrategy: strategy });
    }
    return this.state.lead(cause.tenantId, leadId)?.ownerId !== fromOwnerId;
  }

  /**
   * The member that takes the lead: the configured strategy's pick, or the host strategy's eligible
   * choice. Undefined when nobody is eligible (the host strategy is then not asked).
   */
  private async pick(cause: Cause, members: readonly MemberSnapshot[], request: PickRequest): Promise<Pick | undefined> {
    const { leadId, teamId, strategy, fromOwnerId } = request;
    const builtIn = pickMember(members, strategy, { at: cause.at, cursor: this.state.cursor(cause.tenantId, teamId), exclude: fromOwnerId });
    const host = this.options.strategy;
    if (!builtIn || !host) return builtIn;
    // Recorded already (a rerun, another instance): the stream's owner, without asking again.
    const recorded = (await this.leads.load(leadStreamId(leadId))).events.find((e) => isDecisionOf(e, seedOf(cause, request.idPart)));
    if (recorded) {
      const event = decodeLeadEvent({ type: recorded.type, schemaVersion: recorded.schemaVersion, data: recorded.data });
      return event.type === 'LeadAssigned' ? { ownerId: event.data.ownerId } : undefined;
    }
    const lead = await this.leadAsOf(leadId, cause.event);
    if (!lead) return builtIn;
    const facts = { tenantId: cause.tenantId, leadId, lead: routingLeadFactsOf(lead), reason: request.reason, teamId, ruleId: request.ruleId, strategy, previousOwnerId: fromOwnerId, at: cause.at };
    const choice = hostChoiceOf(host, facts, eligibleMembers(members, { at: cause.at, exclude: fromOwnerId }));
    if (choice.problem) this.warn(`routing.strategy ${choice.problem} for lead ${leadId} (tenant ${cause.tenantId}): the ${strategy} pick ${builtIn.ownerId} is used`);
    return choice.ownerId === undefined ? builtIn : { ownerId: choice.ownerId };
  }

  private warn(message: string): void {
    (this.options.warn ?? ((m: string) => routingLogger.warn(m)))(message);
  }

  private strategyOfRule(ruleId: string | undefined): RoutingStrategy | undefined {
    const rule = this.config.routing.rules.find((r) => r.id === ruleId);
    return rule && 'teamId' in rule.assign ? rule.assign.strategy : undefined;
  }

  /**
   * Appends the command's events on the lead (ids derived from the cause and, for a retry of the queue
   * or a move, the lead) and applies what the stream holds for this decision: what was just appended,
   * or what an earlier run of this reaction (before a crash, or another instance) appended for it.
   * `queueStrategy`: the strategy a queued lead is retried with, when no rule names it.
   */
  private async execute(
    leadId: string,
    cause: Cause,
    command: LeadRoutingCommand,
    options: { idPart?: string; queueStrategy?: RoutingStrategy } = {},
  ): Promise<void> {
    const { idPart } = options;
    const streamId = leadStreamId(leadId);
    const context: CommandContext = {
      tenantId: cause.tenantId,
      actor: ROUTING_REACTION_NAME,
      correlationId: cause.event.metadata.correlationId,
      causationId: cause.event.eventId,
      command: command.type,
    };
    const idSeed = seedOf(cause, idPart);
    const decided = await this.leads.handle(streamId, (state) => (state.stage === 'none' ? [] : decideLead(command, state, this.config)), context, { idSeed });
    const done = decided.appended.length ? decided.appended : (await this.leads.load(streamId)).events.filter((e) => isDecisionOf(e, idSeed));
    for (const stored of done) {
      const event = decodeLeadEvent({ type: stored.type, schemaVersion: stored.schemaVersion, data: stored.data });
      this.adopt(event, cause, command, options.queueStrategy);
    }
  }

  /** What a routing decision the stream holds changes in the state: the owner, the cursor, or the queue. */
  private adopt(event: LeadEvent, cause: Cause, command: LeadRoutingCommand, queueStrategy?: RoutingStrategy): void {
    const { tenantId } = cause;
    if (event.type === 'LeadQueued') {
      const strategy = command.type === 'QueueLead' && command.teamId ? (queueStrategy ?? this.strategyOfRule(command.ruleId)) : undefined;
      this.state.enqueue(tenantId, event.data.leadId, { reason: event.data.reason, since: event.data.occurredAt, ruleId: event.data.ruleId, teamId: event.data.teamId, strategy });
      return;
    }
    if (event.type !== 'LeadAssigned') return;
    const { leadId, ownerId, teamId, strategy } = event.data;
    if (teamId && strategy) {
      // The strategy's own state moves for the member the stream names (the pick, unless another
      // instance decided otherwise on a state this one has not seen).
      const members = this.state.members(tenantId, teamId);
      const exclude = event.data.reason === 'sla_escalation' || event.data.reason === 'owner_unavailable' ? event.data.previousOwnerId : undefined;
      const pick = pickMember(members, strategy, { at: cause.at, cursor: this.state.cursor(tenantId, teamId), exclude });
      const chosen = members.find((m) => m.ownerId === ownerId);
      if (strategy === 'round_robin' && chosen) this.state.setCursor(tenantId, teamId, chosen.ordinal);
      if (strategy === 'weighted' && pick?.ownerId === ownerId && pick.swrrCurrents) this.state.setSwrrCurrents(tenantId, teamId, pick.swrrCurrents);
    }
    this.state.assign(tenantId, leadId, ownerId, teamId, strategy);
  }

  /**
   * The lead as the trigger's command left it (the trigger and the events the same request appended
   * after it, such as the capture's ScoreChanged), or undefined when it is not there. Taken from the
   * log, so every instance and every rerun sees the same lead whatever happened to it since.
   */
  private async leadAsOf(leadId: string, trigger: StoredEvent): Promise<ExistingLead | undefined> {
    const sameRequest = (e: StoredEvent) => comparePositions(e.position, trigger.position) <= 0 || e.metadata.causationId === trigger.metadata.causationId;
    const { state } = await this.leads.load(leadStreamId(leadId), sameRequest);
    return state.stage === 'none' ? undefined : state;
  }
}

const routingLogger = new Logger('RoutingReaction');

/** The seed of a decision's event ids: its cause and, for a retry of the queue or a move, the lead. */
function seedOf(cause: Cause, idPart: string | undefined): string {
  return `${ROUTING_REACTION_NAME}:${cause.event.eventId}${idPart ? `:${idPart}` : ''}`;
}

/**
 * An event this reaction appended for the decision seeded `idSeed` (before a crash, or on another
 * instance): its id is the one the seed derives. A cause may take two decisions on one lead (queued by
 * a move, then routed by a retry), and each adopts only its own.
 */
function isDecisionOf(event: StoredEvent, idSeed: string): boolean {
  return (event.type === 'LeadAssigned' || event.type === 'LeadQueued') && event.eventId === deterministicUuid(idSeed, event.type, '0');
}
