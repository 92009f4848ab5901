import { CHANNELS, DISQUALIFICATION_REASONS, type DisqualificationReason, type LifecycleConfig } from '../config/lifecycle-config';
import { type Contact, contactProblems, type IdentityKind, normaliseContact } from '../contact/contact';
import { BANT_CRITERIA } from '../config/lifecycle-config';
import { type BantAssessment, evaluateBant } from '../qualification/bant';
import { hostFitScore, type LeadDecisionExtensions, NO_LEAD_EXTENSIONS } from '../scoring/fit-scorer';
import { activityPoints, combineScore, engagementScore, fitScore, type ScoredActivity, temperatureOf } from '../scoring/score';
import { assertNever, DomainError, DomainErrorCode, type FieldProblem, InvalidCommandError, LifecycleError } from '../shared/domain-error';
import { calendarDateProblem, instantOf, withBusinessTime } from '../shared/business-time';
import { durationMs } from '../shared/iso-duration';
import { salesTouchPoints } from '../sla/sales-touch';
import { laterOf } from '../shared/domain-event';
import { companySizeProblem, costProblem, moneyProblems } from '../shared/money';
import { canAdvance, canMove, captureStagesOf, CUSTOM_STAGE_MOVE, customStagesOf, LEAD_LIFECYCLE_MOVES, nextStageAfter, type StageMovingEventType } from './lead-lifecycle-moves';
import { checkedLeadEnrichment, type LeadEnrichment } from './lead-enrichment';
import { type CompanyProfile, type LeadEvent, type LeadSource, type ScoreChanged } from './lead.events';
import { type BuiltInStageLead, type ExistingLead, type LeadState, openOpportunityIds, stageNameOf } from './lead.state';
import { decideLeadRouting, type LeadRoutingCommand } from './lead-routing.decider';

export interface CaptureLead {
  readonly type: 'CaptureLead';
  readonly leadId: string;
  readonly tenantId: string;
  readonly contact: Contact;
  readonly externalId?: string;
  readonly jobTitle?: string;
  readonly company?: CompanyProfile;
  readonly source: LeadSource;
  readonly attributes?: Record<string, unknown>;
  /** Set when the capture matched an existing lead. */
  readonly matchedOn?: IdentityKind[];
  /**
   * What the host's enrichment hook answered (the capture handler awaits it before deciding): recorded
   * as LeadEnriched when the capture creates the lead, and seen by the host fit scorer. Ignored on a recapture.
   */
  readonly enrichment?: LeadEnrichment;
  /** `lead` (the default) or one of the host's stages before it (lifecycleConfig.stages.beforeLead) to capture into. */
  readonly stage?: string;
  readonly occurredAt: string;
}
export interface RecordEngagement {
  readonly type: 'RecordEngagement';
  readonly activityType: string;
  readonly properties?: Record<string, unknown>;
  readonly occurredAt: string;
}
export interface RescoreLead {
  readonly type: 'RescoreLead';
  readonly occurredAt: string;
  /**
   * Record the score even when it did not move (a repair): read models that could not apply the last
   * ScoreChanged get a fresh one that sets the whole score again.
   */
  readonly force?: boolean;
  /** Why the rescore was asked for; recorded in the ScoreChanged reasons for auditors. */
  readonly reason?: string;
}
/**
 * Issued by the aging sweeper at a decay interval's boundary: records the decayed score when it moved
 * by at least `step` points since the last ScoreChanged. Decay never un-qualifies a lead.
 */
export interface DecayScore {
  readonly type: 'DecayScore';
  readonly step: number;
  readonly occurredAt: string;
}
export interface PromoteToSQL {
  readonly type: 'PromoteToSQL';
  readonly bant: BantAssessment;
  readonly qualifiedBy: string;
  readonly occurredAt: string;
}
export interface AssignLead {
  readonly type: 'AssignLead';
  readonly ownerId: string;
  readonly occurredAt: string;
}
export interface DisqualifyLead {
  readonly type: 'DisqualifyLead';
  readonly reason: DisqualificationReason;
  readonly note?: string;
  readonly occurredAt: string;
}
export interface RecycleLead {
  readonly type: 'RecycleLead';
  readonly reason?: string;
  readonly occurredAt: string;
}
export interface OpenOpportunityForLead {
  readonly type: 'OpenOpportunityForLead';
  readonly opportunityId: string;
  readonly name?: string;
  readonly amount: number;
  readonly currency: string;
  readonly expectedCloseDate?: string;
  readonly occurredAt: string;
}
/** Issued by the opportunity reaction when an opportunity of the lead was won. */
export interface ConvertToCustomer {
  readonly type: 'ConvertToCustomer';
  readonly opportunityId: string;
  readonly amount: number;
  readonly currency: string;
  readonly occurredAt: string;
}
/** Issued by the opportunity reaction when an opportunity of the lead was lost. */
export interface RecordOpportunityLost {
  readonly type: 'RecordOpportunityLost';
  readonly opportunityId: string;
  readonly reason: string;
  readonly occurredAt: string;
}

/** Erase the lead's personal data (right to erasure); the rest of its history stays. */
export interface ForgetLead {
  readonly type: 'ForgetLead';
  readonly reason: string;
  readonly occurredAt: string;
}

/**
 * Moves the lead one stage forward through the host's own stages (lifecycleConfig.stages): to the next
 * stage before `lead` or into `lead`, or from `customer` to the next stage after it. Forward only.
 */
export interface AdvanceLeadStage {
  readonly type: 'AdvanceLeadStage';
  readonly to: string;
  readonly occurredAt: string;
}

export type LeadCommand =
  | AdvanceLeadStage
  | CaptureLead
  | RecordEngagement
  | RescoreLead
  | DecayScore
  | PromoteToSQL
  | AssignLead
  | DisqualifyLead
  | RecycleLead
  | OpenOpportunityForLead
  | ConvertToCustomer
  | RecordOpportunityLost
  | ForgetLead
  | LeadRoutingCommand;

/**
 * Decides what a command does to a lead: the events to append, or a domain error. Pure, given pure
 * `extensions` (the host's code; their results are recorded in the events, never recomputed on replay).
 */
export function decideLead(command: LeadCommand, state: LeadState, config: LifecycleConfig, extensions: LeadDecisionExtensions = NO_LEAD_EXTENSIONS): LeadEvent[] {
  // Every time is normalised to UTC before anything is decided, so every stored time has one form.
  command = withBusinessTime(command);
  if (command.type === 'CaptureLead') return capture(command, state, config, extensions);
  if (state.stage === 'none') {
    throw new DomainError(DomainErrorCode.LeadNotFound, 'lead not found');
  }
  switch (command.type) {
    case 'RecordEngagement':
      return recordEngagement(command, state, config);
    case 'RescoreLead':
      return rescore(state, laterOf(command.occurredAt, state.lastActivityAt), [], config, command.reason ? [`rescore requested: ${command.reason}`] : [], command.force);
    case 'DecayScore':
      return decay(command, state, config);
    case 'PromoteToSQL':
      return promote(command, state, config);
    case 'AssignLead':
      if (!command.ownerId?.trim()) throw new InvalidCommandError([{ field: 'ownerId', reason: 'must not be empty' }]);
      if (state.ownerId === command.ownerId) return [];
      return [
        {
          type: 'LeadAssigned',
          data: { leadId: state.leadId, ownerId: command.ownerId, previousOwnerId: state.ownerId, reason: 'manual', occurredAt: command.occurredAt },
        },
      ];
    case 'DisqualifyLead':
      return disqualify(command, state);
    case 'RecycleLead':
      return recycle(command, state);
    case 'OpenOpportunityForLead':
      return openOpportunity(command, state, config);
    case 'ConvertToCustomer':
      return convert(command, state);
    case 'RecordOpportunityLost':
      if (state.opportunities[command.opportunityId] !== 'open') return [];
      return [
        {
          type: 'OpportunityLostForLead',
          data: { leadId: state.leadId, opportunityId: command.opportunityId, reason: command.reason, occurredAt: command.occurredAt },
        },
      ];
    case 'ForgetLead':
      if (!command.reason?.trim()) throw new InvalidCommandError([{ field: 'reason', reason: 'must not be empty' }]);
      if (state.personalDataErasedAt) return [];
      return [{ type: 'PersonalDataErased', data: { leadId: state.leadId, reason: command.reason, occurredAt: command.occurredAt } }];
    case 'AdvanceLeadStage':
      return advanceStage(command, state, config);
    case 'RouteLead':
    case 'QueueLead':
      return decideLeadRouting(command, state);
    default:
      return assertNever(command, 'lead command');
  }
}

function capture(command: CaptureLead, state: LeadState, config: LifecycleConfig, extensions: LeadDecisionExtensions): LeadEvent[] {
  const problems: FieldProblem[] = [...contactProblems(command.contact, command.externalId)];
  if (!CHANNELS.includes(command.source?.channel)) {
    problems.push({ field: 'source.channel', reason: `must be one of ${CHANNELS.join(', ')}` });
  }
  const costIssue = command.source?.cost === undefined ? undefined : costProblem('source.cost', command.source.cost, config.money);
  if (costIssue) problems.push(costIssue);
  const sizeIssue = command.company?.size === undefined ? undefined : companySizeProblem('company.size', command.company.size);
  if (sizeIssue) problems.push(sizeIssue);
  const stages = customStagesOf(config);
  if (command.stage !== undefined && !captureStagesOf(stages).includes(command.stage)) {
    problems.push({ field: 'stage', reason: `must be one of ${captureStagesOf(stages).join(', ')}` });
  }
  // Captured into `lead` (asked for or not), the event is the one written before the host's stages existed.
  const preLeadStage = command.stage === 'lead' ? undefined : command.stage;
  if (problems.length) throw new InvalidCommandError(problems);
  const contact = normaliseContact(command.contact, config.phone.defaultCountryCode);
  const enrichment = command.enrichment === undefined ? undefined : checkedLeadEnrichment(command.enrichment);

  if (state.stage !== 'none') {
    if (state.tenantId !== command.tenantId) throw new DomainError(DomainErrorCode.LeadAlreadyExists, 'lead id already in use');
    return [
      {
        type: 'LeadRecaptured',
        data: {
          leadId: state.leadId,
          matchedOn: command.matchedOn ?? [],
          contact,
          externalId: command.externalId,
          source: command.source,
          attributes: command.attributes,
          occurredAt: command.occurredAt,
        },
      },
    ];
  }
  const events: LeadEvent[] = [
    {
      type: 'LeadCaptured',
      data: {
        leadId: command.leadId,
        tenantId: command.tenantId,
        contact,
        externalId: command.externalId,
        jobTitle: command.jobTitle,
        company: command.company,
        source: command.source,
        attributes: command.attributes,
        ...(preLeadStage === undefined ? {} : { stage: preLeadStage }),
        occurredAt: command.occurredAt,
      },
    },
  ];
  if (enrichment) events.push(enriched(command.leadId, enrichment, command.occurredAt));
  const profile = {
    email: contact.email,
    jobTitle: command.jobTitle,
    company: command.company,
    // A copy: a scorer that writes to it must not change what LeadEnriched records.
    ...(enrichment ? { enrichment: { source: enrichment.source, attributes: { ...enrichment.attributes } } } : {}),
  };
  const builtIn = fitScore(profile, config);
  const host = hostFitScore(extensions.fitScorer, profile);
  const fit = { points: Math.round((builtIn.points + host.points) * 10) / 10, reasons: [...builtIn.reasons, ...host.reasons] };
  if (fit.points === 0) return events;
  const current = combineScore(fit.points, 0);
  events.push({
    type: 'ScoreChanged',
    data: {
      leadId: command.leadId,
      previous: { total: 0, fit: 0, engagement: 0 },
      current,
      temperature: temperatureOf(current.total, config),
      reasons: fit.reasons,
      occurredAt: command.occurredAt,
    },
  });
  // A lead captured before `lead` qualifies only once it is a lead (advanceStage).
  if (current.total >= config.scoring.mqlThreshold && preLeadStage === undefined) {
    events.push(qualified(command.leadId, current.total, config, command.occurredAt));
  }
  return events;
}

function enriched(leadId: string, { source, attributes, enrichedAt }: LeadEnrichment, occurredAt: string): LeadEvent {
  return { type: 'LeadEnriched', data: { leadId, source, attributes, enrichedAt, occurredAt } };
}

/**
 * One stage forward through the host's stages (nextStageAfter in lead-lifecycle-moves.ts). Asking for
 * the stage the lead is already in changes nothing, so a retried request is harmless. Entering `lead`
 * at or above the threshold qualifies at once, as a capture into `lead` would have.
 */
function advanceStage(command: AdvanceLeadStage, state: ExistingLead, config: LifecycleConfig): LeadEvent[] {
  if (typeof command.to !== 'string' || !command.to.trim()) throw new InvalidCommandError([{ field: 'to', reason: 'must be a stage name' }]);
  const from = stageNameOf(state);
  if (command.to === from) return [];
  const stages = customStagesOf(config);
  if (!canAdvance(stages, from, command.to)) {
    const next = nextStageAfter(stages, from);
    throw new LifecycleError(from, `${CUSTOM_STAGE_MOVE.move} to ${command.to}`, next ? `the only stage forward is ${next}` : 'no configured stage follows this one');
  }
  const events: LeadEvent[] = [{ type: 'LeadStageAdvanced', data: { leadId: state.leadId, from, to: command.to, occurredAt: command.occurredAt } }];
  if (command.to === 'lead' && state.score.total >= config.scoring.mqlThreshold) {
    events.push(qualified(state.leadId, state.score.total, config, command.occurredAt));
  }
  return events;
}

function recordEngagement(command: RecordEngagement, state: ExistingLead, config: LifecycleConfig): LeadEvent[] {
  // A sales touch (sla.touchTypes) scores only what sla.touchPoints gives it, whatever marketing scores.
  const touchPoints = salesTouchPoints(command.activityType, config);
  const points = touchPoints ?? activityPoints(command.activityType, config);
  if (points === undefined) {
    const known = [...Object.keys(config.scoring.engagement.activities), ...config.sla.touchTypes];
    throw new InvalidCommandError([{ field: 'type', reason: `unknown activity type; one of ${known.join(', ')}` }]);
  }
  const recorded: LeadEvent = {
    type: 'EngagementRecorded',
    data: {
      leadId: state.leadId,
      activityType: command.activityType,
      points,
      properties: command.properties,
      occurredAt: command.occurredAt,
    },
  };
  // A touch without points leaves the score alone: no rescore, so no decay is recorded on its account.
  if (touchPoints === 0) return [recorded];
  const activity: ScoredActivity = { type: command.activityType, points, occurredAt: command.occurredAt };
  const reason = `engagement ${command.activityType} (${points > 0 ? '+' : ''}${points})`;
  // A backdated activity must not hide the newer ones: score as of the latest known moment.
  const at = laterOf(command.occurredAt, state.lastActivityAt);
  return [recorded, ...rescore(state, at, [activity], config, [reason])];
}

/** Score now, with decay; appends ScoreChanged when it moved, and QualifiedAsMQL when it crossed the threshold. */
function rescore(
  state: ExistingLead,
  at: string,
  newActivities: ScoredActivity[],
  config: LifecycleConfig,
  reasons: string[],
  force = false,
): LeadEvent[] {
  const engagement = engagementScore([...state.activities, ...newActivities], at, config);
  const current = combineScore(state.score.fit, engagement);
  const unchanged = current.total === state.score.total && current.engagement === state.score.engagement;
  const changed: ScoreChanged = {
    type: 'ScoreChanged',
    data: {
      leadId: state.leadId,
      previous: state.score,
      current,
      temperature: temperatureOf(current.total, config),
      reasons: reasons.length ? reasons : unchanged ? ['rescore requested'] : ['engagement decay'],
      occurredAt: at,
    },
  };
  const threshold = config.scoring.mqlThreshold;
  const crossed = state.score.total < threshold && current.total >= threshold;
  const events: LeadEvent[] = unchanged && !force ? [] : [changed];
  // A re-entering lead qualifies even when the engagement left its score as it was.
  if ((crossed || reenters(state, at, newActivities, current.total, config)) && canMove('QualifiedAsMQL', state.stage)) {
    events.push(qualified(state.leadId, current.total, config, at));
  }
  return events;
}

/**
 * Re-entry (LEAD_LIFECYCLE_MOVES.QualifiedAsMQL.reentryFrom): an engagement at least aging.reentryCoolOff
 * after the lead entered nurture requalifies it when its score is at or above the threshold, crossing or not.
 */
function reenters(state: ExistingLead, at: string, newActivities: readonly ScoredActivity[], total: number, config: LifecycleConfig): boolean {
  if (newActivities.length === 0 || total < config.scoring.mqlThreshold) return false;
  if (!(LEAD_LIFECYCLE_MOVES.QualifiedAsMQL.reentryFrom as readonly string[] | undefined)?.includes(state.stage)) return false;
  return instantOf(at) - instantOf(state.stageEnteredAt) >= durationMs(config.aging.reentryCoolOff);
}

/**
 * The decayed score at `command.occurredAt`, recorded only when it moved by at least `step`. Like a
 * rescore, a decay that lifts the score over the threshold (negative activities fading) qualifies;
 * a decay below it never un-qualifies.
 */
function decay(command: DecayScore, state: ExistingLead, config: LifecycleConfig): LeadEvent[] {
  const at = laterOf(command.occurredAt, state.lastActivityAt);
  const current = combineScore(state.score.fit, engagementScore(state.activities, at, config));
  // Scores have one decimal: compare the move as such, so that 54.7 to 49.7 is a move of 5.
  const moved = Math.round(Math.abs(current.total - state.score.total) * 10) / 10;
  if (!(moved >= command.step)) return [];
  return rescore(state, at, [], config, ['decay']);
}

function qualified(leadId: string, score: number, config: LifecycleConfig, at: string): LeadEvent {
  return { type: 'QualifiedAsMQL', data: { leadId, score, threshold: config.scoring.mqlThreshold, occurredAt: at } };
}

function promote(command: PromoteToSQL, state: ExistingLead, config: LifecycleConfig): LeadEvent[] {
  const problems: FieldProblem[] = BANT_CRITERIA.filter((c) => typeof command.bant?.[c]?.met !== 'boolean').map((c) => ({
    field: `bant.${c}.met`,
    reason: 'must be true or false',
  }));
  if (!command.qualifiedBy?.trim()) problems.push({ field: 'qualifiedBy', reason: 'must not be empty' });
  if (problems.length) throw new InvalidCommandError(problems);
  assertMove('PromotedToSQL', state, 'only an MQL can be promoted to SQL');
  const verdict = evaluateBant(command.bant, config);
  if (!verdict.passed) {
    throw new DomainError(DomainErrorCode.QualificationRefused, verdict.reason!, { met: verdict.met, currentStage: state.stage });
  }
  return [
    { type: 'PromotedToSQL', data: { leadId: state.leadId, bant: command.bant, qualifiedBy: command.qualifiedBy, occurredAt: command.occurredAt } },
  ];
}

function disqualify(command: DisqualifyLead, state: ExistingLead): LeadEvent[] {
  if (!DISQUALIFICATION_REASONS.includes(command.reason)) {
    throw new InvalidCommandError([{ field: 'reason', reason: `must be one of ${DISQUALIFICATION_REASONS.join(', ')}` }]);
  }
  assertMove('LeadDisqualified', state);
  assertNoOpenOpportunity(state, LEAD_LIFECYCLE_MOVES.LeadDisqualified.move);
  return [
    {
      type: 'LeadDisqualified',
      data: { leadId: state.leadId, reason: command.reason, note: command.note, fromStage: state.stage, occurredAt: command.occurredAt },
    },
  ];
}

function recycle(command: RecycleLead, state: ExistingLead): LeadEvent[] {
  assertMove('LeadRecycled', state);
  assertNoOpenOpportunity(state, LEAD_LIFECYCLE_MOVES.LeadRecycled.move);
  return [{ type: 'LeadRecycled', data: { leadId: state.leadId, reason: command.reason, fromStage: state.stage, occurredAt: command.occurredAt } }];
}

/**
 * Refuses a move the lifecycle table (lead-lifecycle-moves.ts) does not allow from the lead's stage; a
 * lead in a host's own stage makes no built-in move, so past this it is in a built-in one.
 */
function assertMove(type: StageMovingEventType, state: ExistingLead, reason?: string): asserts state is BuiltInStageLead {
  if (!canMove(type, state.stage)) throw new LifecycleError(stageNameOf(state), LEAD_LIFECYCLE_MOVES[type].move, reason);
}

function assertNoOpenOpportunity(state: ExistingLead, move: string): void {
  const open = openOpportunityIds(state);
  if (open.length) throw new LifecycleError(state.stage, move, `opportunities still open: ${open.join(', ')}; win or lose them first`);
}

function openOpportunity(command: OpenOpportunityForLead, state: ExistingLead, config: LifecycleConfig): LeadEvent[] {
  const problems: FieldProblem[] = moneyProblems({ amount: 'amount', currency: 'currency' }, command.amount, command.currency, config.money);
  const dateIssue = command.expectedCloseDate === undefined ? undefined : calendarDateProblem('expectedCloseDate', command.expectedCloseDate);
  if (dateIssue) problems.push(dateIssue);
  if (problems.length) throw new InvalidCommandError(problems);
  if (state.opportunities[command.opportunityId]) return [];
  assertMove('OpportunityOpenedForLead', state, 'the lead must be an SQL');
  return [
    {
      type: 'OpportunityOpenedForLead',
      data: {
        leadId: state.leadId,
        opportunityId: command.opportunityId,
        name: command.name,
        amount: command.amount,
        currency: command.currency,
        expectedCloseDate: command.expectedCloseDate,
        occurredAt: command.occurredAt,
      },
    },
  ];
}

function convert(command: ConvertToCustomer, state: ExistingLead): LeadEvent[] {
  // A reaction may deliver the same win twice, or a second won opportunity may follow the first.
  if (state.stage === LEAD_LIFECYCLE_MOVES.ConvertedToCustomer.to || state.stage === 'after_customer') return [];
  const reason = `opportunity ${command.opportunityId} is not open on this lead`;
  assertMove('ConvertedToCustomer', state, reason);
  if (state.opportunities[command.opportunityId] !== 'open') throw new LifecycleError(state.stage, LEAD_LIFECYCLE_MOVES.ConvertedToCustomer.move, reason);
  return [
    {
      type: 'ConvertedToCustomer',
      data: { leadId: state.leadId, opportunityId: command.opportunityId, amount: command.amount, currency: command.currency, occurredAt: command.occurredAt },
    },
  ];
}
