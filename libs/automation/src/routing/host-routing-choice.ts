import { type ExistingLead, type HostRoutingStrategy, type RoutingCandidate, type RoutingFacts, type RoutingLeadFacts, stageNameOf } from '@lead-lifecycle/domain';
import type { MemberSnapshot } from './member-picker';

/**
 * What the host strategy answered, checked: `ownerId` when it chose an eligible member; neither when it
 * left the pick to the configured strategy; `problem` when its answer cannot be used (the configured
 * strategy picks, and the reaction logs the problem).
 */
export interface HostChoice {
  readonly ownerId?: string;
  readonly problem?: string;
}

/** The lead's routing facts, copied: the strategy gets no object of the reaction's to change. */
export function routingLeadFactsOf(lead: ExistingLead): RoutingLeadFacts {
  return Object.freeze({
    stage: stageNameOf(lead),
    source: Object.freeze({ ...lead.source }),
    company: lead.company && Object.freeze({ ...lead.company }),
    jobTitle: lead.jobTitle,
    temperature: lead.temperature,
    score: Object.freeze({ ...lead.score }),
  });
}

/** The eligible members as the strategy sees them, copied. */
export function routingCandidatesOf(eligible: readonly MemberSnapshot[]): readonly RoutingCandidate[] {
  return Object.freeze(
    eligible.map((m) => Object.freeze({ ownerId: m.ownerId, ordinal: m.ordinal, weight: m.weight, capacity: m.capacity, openLeads: m.openLeads })),
  );
}

/**
 * Asks the host strategy and checks its answer against the eligible members. A throw, a promise (it must
 * be synchronous; a rejection is caught so it cannot crash the process), or an id of no eligible member is
 * a problem, never an owner: the choice recorded is always one the configured strategy could have made
 * as far as eligibility goes.
 */
export function hostChoiceOf(strategy: HostRoutingStrategy, facts: RoutingFacts, eligible: readonly MemberSnapshot[]): HostChoice {
  let answer: unknown;
  try {
    answer = strategy(facts, routingCandidatesOf(eligible));
  } catch (error) {
    return { problem: `threw ${error instanceof Error ? `${error.name}: ${error.message}` : describe(error)}` };
  }
  if (answer === undefined) return {};
  if (isThenable(answer)) {
    answer.then(undefined, () => undefined);
    return { problem: 'returned a promise (it must be synchronous)' };
  }
  if (typeof answer !== 'string') return { problem: `returned ${describe(answer)} (an owner id or undefined expected)` };
  if (!eligible.some((m) => m.ownerId === answer)) return { problem: `returned ${JSON.stringify(answer)}, not an eligible member of team ${facts.teamId}` };
  return { ownerId: answer };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** A short, safe description of a hostile value (no toString of the host's object is called). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 80));
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  return `a ${typeof value}`;
}
