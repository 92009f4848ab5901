import {
  type AgingRules,
  addDuration,
  DAY_MS,
  durationMs,
  type LeadCommand,
  type LeadEvent,
  type LeadState,
  type LifecycleConfig,
  type MarkOpportunityStalled,
  openOpportunityIds,
  type OpportunityState,
} from '@lead-lifecycle/domain';

/**
 * What the aging rules call for on one stream, read from the stream itself (never from the deadline
 * that made the sweeper look): so a sweeper that looks late, twice, or on another instance decides the
 * same thing. `dueAt` is the deadline; the command is issued with it as its time.
 */
export interface AgingPlan<Command> {
  readonly dueAt: string;
  readonly command: Command;
  /** Seed of the event ids: the cause and the deadline, so a second sweep or instance appends nothing new. */
  readonly idSeed: string;
}

/** Later of two normalised ISO instants (their text order is their time order). */
const later = (a: string, b: string) => (a > b ? a : b);

/** An open opportunity not yet stalled in its spell, whose stage has a limit: it stalls at the spell's start plus the limit. */
export function stallPlan(state: OpportunityState, rules: AgingRules): AgingPlan<MarkOpportunityStalled> | undefined {
  if (state.status !== 'open' || state.stalledAt) return undefined;
  const stalledAfter = Object.hasOwn(rules.stalledAfter, state.stage) ? rules.stalledAfter[state.stage] : undefined;
  if (!stalledAfter) return undefined;
  const dueAt = addDuration(state.stageEnteredAt, stalledAfter);
  return {
    dueAt,
    command: { type: 'MarkOpportunityStalled', stage: state.stage, idleSince: state.stageEnteredAt, stalledAfter, occurredAt: dueAt },
    idSeed: `aging:stall:${state.opportunityId}:${state.stage}:${state.stageEnteredAt}`,
  };
}

/** An MQL recycles as stale `recycleStaleMqlAfter` after it qualified or after its last sales touch, whichever is later. */
export function stalePlan(state: LeadState, config: LifecycleConfig): AgingPlan<LeadCommand> | undefined {
  const after = config.aging.recycleStaleMqlAfter;
  if (!after || state.stage !== 'mql') return undefined;
  const touches = config.sla.touchTypes;
  let since = state.stageEnteredAt;
  for (const activity of state.activities) if (touches.includes(activity.type)) since = later(since, activity.occurredAt);
  const dueAt = addDuration(since, after);
  return { dueAt, command: { type: 'RecycleLead', reason: 'stale', occurredAt: dueAt }, idSeed: `aging:stale:${state.leadId}:${dueAt}` };
}

/**
 * A lead disqualified, or whose opportunities are all lost, with a configured reason, recycles
 * `recycleClosed.after` after it closed. `events` are the lead's events (the loss reason is only there).
 */
export function recyclePlan(state: LeadState, events: readonly LeadEvent[], config: LifecycleConfig): AgingPlan<LeadCommand> | undefined {
  const rules = config.aging.recycleClosed;
  if (!rules || state.stage === 'none') return undefined;
  let closedAt: string;
  let reason: string;
  if (state.stage === 'disqualified') {
    if (!rules.disqualificationReasons.includes(state.disqualification.reason)) return undefined;
    closedAt = state.stageEnteredAt;
    reason = `disqualified: ${state.disqualification.reason}`;
  } else if (state.stage === 'opportunity') {
    if (openOpportunityIds(state).length) return undefined;
    const loss = lastLoss(events);
    if (!loss || !rules.lostReasons.includes(loss.data.reason)) return undefined;
    closedAt = loss.data.occurredAt;
    reason = `lost: ${loss.data.reason}`;
  } else {
    return undefined;
  }
  const dueAt = addDuration(closedAt, rules.after);
  return { dueAt, command: { type: 'RecycleLead', reason, occurredAt: dueAt }, idSeed: `aging:recycle:${state.leadId}:${dueAt}` };
}

function lastLoss(events: readonly LeadEvent[]): Extract<LeadEvent, { type: 'OpportunityLostForLead' }> | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (event.type === 'OpportunityLostForLead') return event;
  }
  return undefined;
}

/** The decay interval (aging.decay.every, counted from the epoch) that holds `instant`. */
export function decayIntervalOf(instant: string, rules: AgingRules): number {
  return Math.floor(Date.parse(instant) / durationMs(rules.decay.every));
}

/** When decay interval `index` starts: the moment its decay is looked at. */
export function decayIntervalStart(index: number, rules: AgingRules): string {
  return new Date(index * durationMs(rules.decay.every)).toISOString();
}

/** The first interval boundary after `instant`: when an engagement at `instant` is first looked at for decay. */
export function nextDecayCheck(instant: string, rules: AgingRules): string {
  return decayIntervalStart(decayIntervalOf(instant, rules) + 1, rules);
}

/** The decay of interval `index`: a DecayScore at its start, with ids from the lead and the interval. */
export function decayPlan(leadId: string, index: number, rules: AgingRules): AgingPlan<LeadCommand> {
  const dueAt = decayIntervalStart(index, rules);
  return { dueAt, command: { type: 'DecayScore', step: rules.decay.step, occurredAt: dueAt }, idSeed: `aging:decay:${leadId}:${index}` };
}

/**
 * Whether the decayed score of the lead can still move by a step after `at`. Each activity's points
 * fade toward zero, so from then on the engagement stays between minus the faded negative points and
 * the faded positive points; once the recorded engagement is less than a step from both ends, no later
 * interval can call for a ScoreChanged (until new engagement, which the reaction sees).
 */
export function decayCanStillMove(state: LeadState, at: string, config: LifecycleConfig): boolean {
  if (state.stage === 'none') return false;
  const now = Date.parse(at);
  const halfLifeMs = config.scoring.engagement.halfLifeDays * DAY_MS;
  let positive = 0;
  let negative = 0;
  for (const activity of state.activities) {
    const age = Math.max(0, now - Date.parse(activity.occurredAt));
    if (!Number.isFinite(age)) continue;
    const faded = activity.points * Math.pow(0.5, age / halfLifeMs);
    if (faded > 0) positive += faded;
    else negative -= faded;
  }
  const recorded = state.score.engagement;
  return Math.max(positive - recorded, recorded + negative) >= config.aging.decay.step;
}
