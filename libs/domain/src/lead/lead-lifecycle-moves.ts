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

/** Whether the lifecycle lets an event of `type` happen to a lead at `stage` (moving it or, for `within`, not). */
export function canMove(type: StageMovingEventType, stage: LeadStage): boolean {
  const move = LEAD_LIFECYCLE_MOVES[type];
  return move.from.includes(stage) || (move.within?.includes(stage) ?? false);
}

/**
 * The stage a stored lead event moves the lead into, or undefined when it does not change the stage.
 * Read models trust the log: they do not check `from`, the decider did when the event was written.
 */
export function stageEnteredBy(event: Pick<LeadEvent, 'type'>, current: LeadStage | undefined): LeadStage | undefined {
  const move = lifecycleMoveOf(event.type);
  if (!move || (current !== undefined && move.within?.includes(current))) return undefined;
  return move.to;
}
