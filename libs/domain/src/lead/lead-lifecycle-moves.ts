import { type LifecycleConfig } from '../config/lifecycle-config';
import { type LeadEvent, type LeadEventType, type LeadStage } from './lead.events';

/** The main stages of the funnel, in order: every lead starts at the first, a won one ends at the last. */
export const FUNNEL_STAGES = ['lead', 'mql', 'sql', 'opportunity', 'customer'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];
/** The stages beside the main path: a lead leaves the path into one and may come back from it. */
export const SIDE_STAGES = ['nurturing', 'disqualified'] as const;
export type SideStage = (typeof SIDE_STAGES)[number];

/** One allowed move of the lifecycle: the event that records it, from which stages, into which stage. */
export interface LifecycleMove {
  /** The move as refusals name it (LifecycleError.attemptedMove). */
  readonly move: string;
  /** The stages the move may start from; empty for the capture, which starts from no lead at all. */
  readonly from: readonly LeadStage[];
  readonly to: LeadStage;
  /** Stages in which the event is allowed but leaves the stage as it is (a second opportunity). */
  readonly within?: readonly LeadStage[];
  /**
   * Stages from which the move also happens without a crossing from below: on an engagement at least
   * aging.reentryCoolOff after the lead entered the stage, when the score is at or above the threshold
   * (a nurtured lead whose score never fell below the threshold requalifies).
   */
  readonly reentryFrom?: readonly LeadStage[];
}

/** The lead events that move a lead between stages. */
export type StageMovingEventType = Extract<
  LeadEventType,
  'LeadCaptured' | 'QualifiedAsMQL' | 'PromotedToSQL' | 'OpportunityOpenedForLead' | 'ConvertedToCustomer' | 'LeadDisqualified' | 'LeadRecycled'
>;

/**
 * THE lifecycle: every stage move a lead can make. The decider refuses every move not listed here
 * (lead.decider.ts reads `canMove`), the state enters `to` (lead.state.ts), and the read models count
 * the stage a stored event enters with `stageEnteredBy`. Every other lead event leaves the stage alone.
 *
 *   lead → mql → sql → opportunity → customer      (the main path, FUNNEL_STAGES)
 *   lead | nurturing → mql                           (a score crossing the MQL threshold; re-qualifies a nurtured lead)
 *   nurturing → mql                                  (re-entry: an engagement after the cool-off, score at or above the threshold)
 *   any but customer/disqualified → disqualified     (disqualify)
 *   any but customer/nurturing → nurturing           (recycle; re-opens a disqualified lead)
 *
 * The host's own stages (lifecycleConfig.stages) add one more move, LeadStageAdvanced, whose stages
 * come from the configuration: see CUSTOM_STAGE_MOVE and nextStageAfter below.
 */
export const LEAD_LIFECYCLE_MOVES: Readonly<Record<StageMovingEventType, LifecycleMove>> = {
  LeadCaptured: { move: 'capture', from: [], to: 'lead' },
  QualifiedAsMQL: { move: 'qualify as MQL', from: ['lead', 'nurturing'], to: 'mql', reentryFrom: ['nurturing'] },
  PromotedToSQL: { move: 'promote to sql', from: ['mql'], to: 'sql' },
  OpportunityOpenedForLead: { move: 'open an opportunity', from: ['sql'], to: 'opportunity', within: ['opportunity'] },
  ConvertedToCustomer: { move: 'convert to customer', from: ['opportunity'], to: 'customer' },
  LeadDisqualified: { move: 'disqualify', from: ['lead', 'mql', 'sql', 'nurturing', 'opportunity'], to: 'disqualified' },
  LeadRecycled: { move: 'recycle', from: ['lead', 'mql', 'sql', 'opportunity', 'disqualified'], to: 'nurturing' },
};

/** The move a lead event records, or undefined when the event never changes the stage. */
export function lifecycleMoveOf(type: string): LifecycleMove | undefined {
  return Object.prototype.hasOwnProperty.call(LEAD_LIFECYCLE_MOVES, type) ? LEAD_LIFECYCLE_MOVES[type as StageMovingEventType] : undefined;
}

/**
 * Whether the lifecycle lets an event of `type` happen to a lead at `stage` (moving it or, for `within`,
 * not). A host's own stage (or its place in the state, `before_lead` / `after_customer`) is in no
 * built-in move's `from`: from there only LeadStageAdvanced moves a lead ({@link canAdvance}).
 */
export function canMove(type: StageMovingEventType, stage: string): boolean {
  const move = LEAD_LIFECYCLE_MOVES[type];
  return (move.from as readonly string[]).includes(stage) || ((move.within as readonly string[] | undefined)?.includes(stage) ?? false);
}

/** The host's own stages (lifecycleConfig.stages), each list in the order a lead goes through it. */
export interface CustomStages {
  readonly beforeLead: readonly string[];
  readonly afterCustomer: readonly string[];
}

/** The move through the host's own stages, as refusals name it (LifecycleError.attemptedMove). */
export const CUSTOM_STAGE_MOVE = { type: 'LeadStageAdvanced', move: 'advance stage' } as const;

/** The host's own stages of a configuration; none when it names none. */
export function customStagesOf(config: Pick<LifecycleConfig, 'stages'>): CustomStages {
  return { beforeLead: config.stages?.beforeLead ?? [], afterCustomer: config.stages?.afterCustomer ?? [] };
}

/** Every stage of the funnel's path in order: the host's stages before `lead`, FUNNEL_STAGES, the host's stages after `customer`. */
export function funnelPathOf(stages: CustomStages): readonly string[] {
  return [...stages.beforeLead, ...FUNNEL_STAGES, ...stages.afterCustomer];
}

/** Whether `stage` names one of the host's own stages rather than a built-in one. */
export function isCustomStage(stages: CustomStages, stage: string): boolean {
  return stages.beforeLead.includes(stage) || stages.afterCustomer.includes(stage);
}

/**
 * The one stage a LeadStageAdvanced may enter from the stage named `from`, or undefined when none may:
 * the next stage before `lead` (the last one's next is `lead`), the first stage after `customer`, the
 * next stage after that. Forward only, one stage at a time.
 */
export function nextStageAfter(stages: CustomStages, from: string): string | undefined {
  const before = stages.beforeLead.indexOf(from);
  if (before >= 0) return stages.beforeLead[before + 1] ?? 'lead';
  if (from === 'customer') return stages.afterCustomer[0];
  const after = stages.afterCustomer.indexOf(from);
  return after >= 0 ? stages.afterCustomer[after + 1] : undefined;
}

/** Whether the lifecycle lets a lead at the stage named `from` advance to `to` (LeadStageAdvanced). */
export function canAdvance(stages: CustomStages, from: string, to: string): boolean {
  return nextStageAfter(stages, from) === to;
}

/** The stages a capture may start in: `lead`, or any of the host's stages before it. */
export function captureStagesOf(stages: CustomStages): readonly string[] {
  return ['lead', ...stages.beforeLead];
}

/**
 * The name of the stage a stored lead event moves the lead into, or undefined when it does not change
 * the stage: a built-in stage, or the host's own for a capture into a stage before `lead` and for
 * LeadStageAdvanced (read from the event's data, so the read models need no configuration to fold).
 * Read models trust the log: they do not check `from`, the decider did when the event was written.
 */
export function stageEnteredBy(event: LeadEvent | Pick<LeadEvent, 'type'>, current: string | undefined): string | undefined {
  if ('data' in event && event.type === 'LeadStageAdvanced') return event.data.to;
  if ('data' in event && event.type === 'LeadCaptured' && event.data.stage !== undefined) return event.data.stage;
  const move = lifecycleMoveOf(event.type);
  if (!move || (current !== undefined && (move.within as readonly string[] | undefined)?.includes(current))) return undefined;
  return move.to;
}
