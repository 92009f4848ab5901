import type { FieldProblem } from './domain-error';

/**
 * Bounded, typed money. A currency is an ISO 4217 code that the runtime knows
 * (`Intl.supportedValuesOf('currency')`), and its minor unit (how many decimals an amount may have:
 * EUR 2, JPY 0, BHD 3) comes from the runtime's CLDR data, never from a table of our own. An amount is
 * a finite number, zero or more, at most the configured maximum, with at most the currency's decimals.
 * Such an amount is exactly an integer number of minor units, which is how the read models sum it.
 */

/** Limits of money amounts (see LifecycleConfig.money). */
export interface MoneyRules {
  /** Largest amount (and acquisition cost) in major units, e.g. 1e12 EUR. */
  readonly maxAmount: number;
}

/** Decimals of an acquisition cost: it has no currency of its own, so cents. */
export const COST_DECIMALS = 2;

/** Largest company size (employees) a lead may give. */
export const MAX_COMPANY_SIZE = 10_000_000;

let known: ReadonlySet<string> | undefined;
const minorUnitCache = new Map<string, number>();

/** The ISO 4217 codes this runtime knows. */
export function knownCurrencies(): ReadonlySet<string> {
  return (known ??= new Set(Intl.supportedValuesOf('currency')));
}

export function isKnownCurrency(code: unknown): code is string {
  return typeof code === 'string' && knownCurrencies().has(code);
}

/** Decimals of the currency's minor unit, from the runtime (EUR 2, JPY 0, BHD 3). */
export function minorUnitsOf(currency: string): number {
  let digits = minorUnitCache.get(currency);
  if (digits === undefined) {
    if (!isKnownCurrency(currency)) throw new RangeError(`not an ISO 4217 currency known to this runtime: ${JSON.stringify(currency)}`);
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    minorUnitCache.set(currency, digits);
  }
  return digits;
}

/** The most decimals any known currency has: bounds the configurable maximum amount. */
export function maxMinorUnits(): number {
  return Math.max(...[...knownCurrencies()].map(minorUnitsOf));
}

/**
 * Decimals of a finite number as it is written in its shortest round-trip form (String(n)), which is
 * what a client sent as JSON: 12.5 has 1, 1e-7 has 7, 100 has 0. No float multiplication involved.
 */
export function decimalsOf(n: number): number {
  const [mantissa, exponent] = String(n).split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent ?? 0));
}

/** The problem with `value` as the currency `field`, or undefined when it is a known ISO 4217 code. */
export function currencyProblem(field: string, value: unknown): FieldProblem | undefined {
  return isKnownCurrency(value) ? undefined : { field, reason: 'must be an ISO 4217 currency code such as EUR, JPY or BHD' };
}

/**
 * The problem with `value` as an amount of `field` with at most `decimals` decimals (the currency's
 * minor unit), or undefined. Without `rules` the maximum is not checked (it is configuration, checked
 * by the deciders).
 */
export function amountProblem(field: string, value: unknown, decimals: number | undefined, rules?: MoneyRules): FieldProblem | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return { field, reason: 'must be a finite number' };
  if (value < 0) return { field, reason: 'must be zero or more' };
  if (rules && value > rules.maxAmount) return { field, reason: `must be at most ${rules.maxAmount}` };
  if (decimals !== undefined && decimalsOf(value) > decimals) {
    return { field, reason: decimals === 0 ? 'must be a whole number in this currency (no minor unit)' : `must have at most ${decimals} decimals in this currency` };
  }
  return undefined;
}

/** The problems of an amount in a currency: the currency first, then the amount in its minor unit. */
export function moneyProblems(
  fields: { readonly amount: string; readonly currency: string },
  amount: unknown,
  currency: unknown,
  rules?: MoneyRules,
): FieldProblem[] {
  const currencyIssue = currencyProblem(fields.currency, currency);
  const amountIssue = amountProblem(fields.amount, amount, currencyIssue ? undefined : minorUnitsOf(currency as string), rules);
  return [amountIssue, currencyIssue].filter((p): p is FieldProblem => p !== undefined);
}

/** The problem with an acquisition cost: like an amount, with cents. */
export function costProblem(field: string, value: unknown, rules?: MoneyRules): FieldProblem | undefined {
  const problem = amountProblem(field, value, COST_DECIMALS, rules);
  return problem && problem.reason.startsWith('must have at most') ? { field, reason: `must have at most ${COST_DECIMALS} decimals` } : problem;
}

/** The problem with a company size (employees): a whole number from 1 to MAX_COMPANY_SIZE. */
export function companySizeProblem(field: string, value: unknown): FieldProblem | undefined {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_COMPANY_SIZE
    ? undefined
    : { field, reason: `must be a whole number from 1 to ${MAX_COMPANY_SIZE}` };
}

/**
 * An amount as an exact integer number of minor units (12.34 EUR → 1234n), read from its decimal
 * digits. Throws when it is not a valid amount with at most `decimals` decimals.
 */
export function toMinorUnits(amount: number, decimals: number): bigint {
  const problem = amountProblem('amount', amount, decimals);
  if (problem) throw new RangeError(`not a money amount with ${decimals} decimals: ${amount} (${problem.reason})`);
  const [mantissa, exponentText] = String(amount).split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  // Shift the decimal point by the exponent and the minor unit, as text: digits × 10^(shift).
  const shift = decimals + Number(exponentText ?? 0) - fraction.length;
  const digits = BigInt(whole + fraction);
  return shift >= 0 ? digits * 10n ** BigInt(shift) : digits / 10n ** BigInt(-shift);
}

/** Minor units back to an amount in major units: the nearest double of the exact decimal. */
export function fromMinorUnits(minor: bigint, decimals: number): number {
  if (decimals === 0) return Number(minor);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, '0');
  const text = `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return Number(negative ? `-${text}` : text);
}
