import { isKnownCurrency, minorUnitsOf, toMinorUnits } from '@lead-lifecycle/domain';

/**
 * Money in the read models: exact integers of minor units (SQLite INTEGER), summed exactly and turned
 * into major units only for output (see kpi.query.ts). An amount that is not a valid amount of its
 * currency (an unknown currency, too many decimals, not finite, negative, beyond exact integers; for
 * example 1e308 stored before amounts were bounded) makes the projection refuse the event, which then
 * counts as poison for its lead instead of turning every sum into null.
 */
export function minorUnits(amount: unknown, currency: unknown): number {
  if (!isKnownCurrency(currency)) throw new Error(`not an ISO 4217 currency: ${JSON.stringify(currency)}`);
  return exact(amount, minorUnitsOf(currency), currency);
}

/** An acquisition cost (no currency, 2 decimals) in cents. */
export function costCents(cost: unknown): number {
  return exact(cost, 2, 'cost');
}

function exact(amount: unknown, decimals: number, what: string): number {
  if (typeof amount !== 'number') throw new Error(`not a money amount (${what}): ${JSON.stringify(amount)}`);
  let minor: bigint;
  try {
    minor = toMinorUnits(amount, decimals);
  } catch (error) {
    throw new Error(`not a valid money amount (${what}): ${(error as Error).message}`);
  }
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`money amount too large to be exact (${what}): ${amount}`);
  return Number(minor);
}

/** SQL that sums an INTEGER column of minor units without overflow: two partial sums, joined with {@link exactSum}. */
export const splitSum = (column: string, alias: string) =>
  `coalesce(sum(${column} / ${SPLIT}), 0) AS ${alias}_hi, coalesce(sum(${column} % ${SPLIT}), 0) AS ${alias}_lo`;

const SPLIT = 1_000_000_000;

/** The exact sum from the two partial sums of {@link splitSum} (read with safe integers: bigint). */
export function exactSum(row: Record<string, unknown>, alias: string): bigint {
  const part = (suffix: string) => BigInt((row[`${alias}_${suffix}`] ?? 0) as bigint | number);
  return part('hi') * BigInt(SPLIT) + part('lo');
}
