import type { RoutingStrategy } from '@lead-lifecycle/domain';

/** One team member as routing sees it at a decision. */
export interface MemberSnapshot {
  readonly ownerId: string;
  /** Order of joining the team: the round-robin order, and every tie's. */
  readonly ordinal: number;
  readonly weight: number;
  /** Open leads at once; undefined: no limit. */
  readonly capacity?: number;
  readonly available: boolean;
  /** With `available: false`: from this time on the member counts as available again. */
  readonly until?: string;
  /** The owner's open leads now (assigned, and still lead, MQL, SQL or opportunity). */
  readonly openLeads: number;
  /** Its current weight under smooth weighted round robin. */
  readonly swrrCurrent: number;
}

/** What one pick changes in the team's routing state. */
export interface Pick {
  readonly ownerId: string;
  /** round_robin: the ordinal the cursor moves to. */
  readonly cursor?: number;
  /** weighted: every eligible member's new current weight. */
  readonly swrrCurrents?: ReadonlyMap<string, number>;
}

/**
 * Whether a member may take a lead at business time `at`: available (or its away period over by then)
 * and below its capacity.
 */
export function isEligible(member: MemberSnapshot, at: string): boolean {
  const present = member.available || (member.until !== undefined && member.until <= at);
  return present && (member.capacity === undefined || member.openLeads < member.capacity);
}

/** The members that may take a lead at `at` (but `exclude`), in joining order. */
export function eligibleMembers(members: readonly MemberSnapshot[], options: { readonly at: string; readonly exclude?: string }): MemberSnapshot[] {
  return [...members].sort((a, b) => a.ordinal - b.ordinal).filter((m) => m.ownerId !== options.exclude && isEligible(m, options.at));
}

/**
 * Picks the member that takes the next lead, deterministically from the team's state: the same state
 * gives the same pick on every instance. Undefined when nobody is eligible.
 * - round_robin: the first eligible member after the cursor, in joining order;
 * - weighted: smooth weighted round robin (nginx's): every eligible member gains its weight, the
 *   highest (first joined on a tie) is picked and loses the eligible members' total;
 * - load_balanced: the fewest open leads, first joined on a tie.
 */
export function pickMember(
  members: readonly MemberSnapshot[],
  strategy: RoutingStrategy,
  options: { readonly at: string; readonly cursor?: number; readonly exclude?: string },
): Pick | undefined {
  const eligible = eligibleMembers(members, options);
  if (eligible.length === 0) return undefined;
  switch (strategy) {
    case 'round_robin': {
      const cursor = options.cursor ?? Number.NEGATIVE_INFINITY;
      const next = eligible.find((m) => m.ordinal > cursor) ?? eligible[0];
      return { ownerId: next.ownerId, cursor: next.ordinal };
    }
    case 'weighted': {
      const total = eligible.reduce((sum, m) => sum + m.weight, 0);
      const raised = eligible.map((m) => ({ member: m, current: m.swrrCurrent + m.weight }));
      const best = raised.reduce((top, entry) => (entry.current > top.current ? entry : top));
      const swrrCurrents = new Map(raised.map((entry) => [entry.member.ownerId, entry === best ? entry.current - total : entry.current]));
      return { ownerId: best.member.ownerId, swrrCurrents };
    }
    case 'load_balanced': {
      const least = eligible.reduce((top, m) => (m.openLeads < top.openLeads ? m : top));
      return { ownerId: least.ownerId };
    }
    default: {
      const unknown: never = strategy;
      throw new Error(`unknown routing strategy ${String(unknown)}`);
    }
  }
}
