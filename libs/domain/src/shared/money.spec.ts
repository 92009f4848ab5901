import fc from 'fast-check';
import {
  amountProblem,
  companySizeProblem,
  costProblem,
  currencyProblem,
  decimalsOf,
  fromMinorUnits,
  isKnownCurrency,
  maxMinorUnits,
  minorUnitsOf,
  moneyProblems,
  toMinorUnits,
} from './money';

const rules = { maxAmount: 1e12 };

describe('currencies: ISO 4217 codes the runtime knows', () => {
  it.each([
    ['EUR', 2],
    ['USD', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['BHD', 3],
    ['KWD', 3],
  ])('%s has %i decimals', (currency, decimals) => {
    expect(isKnownCurrency(currency)).toBe(true);
    expect(minorUnitsOf(currency)).toBe(decimals);
  });

  it.each(['eur', 'EURO', 'E1R', 'ABC', 'XYZ', '', ' EUR', 'constructor', '__proto__'])('refuses %j', (currency) => {
    expect(isKnownCurrency(currency)).toBe(false);
    expect(currencyProblem('currency', currency)).toEqual({ field: 'currency', reason: expect.stringContaining('ISO 4217') });
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 978, ['EUR']]) expect(isKnownCurrency(value)).toBe(false);
  });

  it('knows no currency with more than 4 decimals (the maximum amount is bounded by it)', () => {
    expect(maxMinorUnits()).toBeGreaterThanOrEqual(3);
    expect(maxMinorUnits()).toBeLessThanOrEqual(4);
  });
});

describe('amounts', () => {
  it.each([
    [0, 'EUR'],
    [12000, 'EUR'],
    [12.5, 'EUR'],
    [0.01, 'EUR'],
    [999_999_999_999.99, 'EUR'],
    [1e12, 'EUR'],
    [500, 'JPY'],
    [1.234, 'BHD'],
    [0.001, 'BHD'],
  ])('accepts %d %s', (amount, currency) => {
    expect(moneyProblems({ amount: 'amount', currency: 'currency' }, amount, currency, rules)).toEqual([]);
  });

  it.each([
    [12.345, 'EUR', 'at most 2 decimals'],
    [0.001, 'EUR', 'at most 2 decimals'],
    [1e-7, 'EUR', 'at most 2 decimals'],
    [500.5, 'JPY', 'whole number'],
    [1.2345, 'BHD', 'at most 3 decimals'],
    [-0.01, 'EUR', 'zero or more'],
    [Number.NaN, 'EUR', 'finite'],
    [Number.POSITIVE_INFINITY, 'EUR', 'finite'],
    [1e308, 'EUR', 'at most 1000000000000'],
    [1e12 + 0.01, 'EUR', 'at most 1000000000000'],
  ])('refuses %d %s (%s)', (amount, currency, reason) => {
    expect(moneyProblems({ amount: 'amount', currency: 'currency' }, amount, currency, rules)).toEqual([{ field: 'amount', reason: expect.stringContaining(reason) }]);
  });

  it('refuses what is not a number', () => {
    for (const value of ['12', null, undefined, {}, [1]]) expect(amountProblem('amount', value, 2, rules)?.reason).toBe('must be a finite number');
  });

  it('names both fields when both are wrong, amount first', () => {
    expect(moneyProblems({ amount: 'amount', currency: 'currency' }, -1, 'eur', rules).map((p) => p.field)).toEqual(['amount', 'currency']);
  });

  it('checks the maximum only when given the rules (the DTOs leave it to the deciders)', () => {
    expect(amountProblem('amount', 1e15, 2)).toBeUndefined();
    expect(amountProblem('amount', 1e15, 2, rules)).toBeDefined();
  });

  it('counts decimals from the written form, not by float multiplication', () => {
    expect(decimalsOf(0.1 + 0.2)).toBe(17); // 0.30000000000000004: not a cent amount
    expect(decimalsOf(1.005)).toBe(3);
    expect(decimalsOf(1.1)).toBe(1);
    expect(decimalsOf(100)).toBe(0);
    expect(decimalsOf(1e21)).toBe(0);
    expect(decimalsOf(1.5e-7)).toBe(8);
    // 1.15 * 100 is 114.99999999999999 in floating point, yet 1.15 has 2 decimals.
    expect(amountProblem('amount', 1.15, 2)).toBeUndefined();
    expect(toMinorUnits(1.15, 2)).toBe(115n);
  });
});

describe('minor units', () => {
  it.each([
    [12.34, 2, 1234n],
    [0, 2, 0n],
    [999_999_999_999.99, 2, 99_999_999_999_999n],
    [1e12, 3, 1_000_000_000_000_000n],
    [500, 0, 500n],
    [1.234, 3, 1234n],
    [0.07, 2, 7n],
    [1e21, 2, 10n ** 23n],
  ])('%d with %i decimals is %s minor units', (amount, decimals, minor) => {
    expect(toMinorUnits(amount, decimals)).toBe(minor);
  });

  it('refuses an amount with more decimals than the minor unit', () => {
    expect(() => toMinorUnits(1.005, 2)).toThrow(RangeError);
    expect(() => toMinorUnits(Number.NaN, 2)).toThrow(RangeError);
  });

  it('converts back to the same amount for every valid amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 * 100 }), fc.constantFrom(0, 2, 3), (minor, decimals) => {
        const amount = fromMinorUnits(BigInt(minor), decimals);
        expect(decimalsOf(amount)).toBeLessThanOrEqual(decimals);
        expect(toMinorUnits(amount, decimals)).toBe(BigInt(minor));
      }),
      { numRuns: 2000 },
    );
  });

  it('sums exactly where floating point does not', () => {
    const amounts = [0.1, 0.2, 999_999_999_999.99, 999_999_999_999.99];
    const exact = amounts.reduce((sum, a) => sum + toMinorUnits(a, 2), 0n);
    expect(exact).toBe(200_000_000_000_028n);
    expect(fromMinorUnits(exact, 2)).toBe(2_000_000_000_000.28);
    expect(fromMinorUnits(toMinorUnits(0.1, 2) + toMinorUnits(0.2, 2), 2)).toBe(0.3);
    expect(0.1 + 0.2).not.toBe(0.3);
  });
});

describe('costs and company sizes', () => {
  it('a cost has cents, whatever the currency', () => {
    expect(costProblem('source.cost', 12.5, rules)).toBeUndefined();
    expect(costProblem('source.cost', 12.345, rules)).toEqual({ field: 'source.cost', reason: 'must have at most 2 decimals' });
    expect(costProblem('source.cost', -1, rules)?.reason).toBe('must be zero or more');
    expect(costProblem('source.cost', 1e308, rules)?.reason).toContain('at most');
  });

  it.each([1, 250, 10_000_000])('accepts a company of %i', (size) => {
    expect(companySizeProblem('company.size', size)).toBeUndefined();
  });

  it.each([0, -1, 1.5, 10_000_001, 1e308, Number.NaN, '10'])('refuses a company of %j', (size) => {
    expect(companySizeProblem('company.size', size)).toEqual({ field: 'company.size', reason: 'must be a whole number from 1 to 10000000' });
  });
});
