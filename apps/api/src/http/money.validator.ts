import { ValidateBy, type ValidationArguments } from 'class-validator';
import { amountProblem, costProblem, currencyProblem, isKnownCurrency, minorUnitsOf } from '@lead-lifecycle/domain';

/**
 * Money fields, checked with the domain's rules (libs/domain/src/shared/money.ts) so that the API and
 * the deciders give the same reasons. The configurable maximum (LifecycleConfig.money.maxAmount) is
 * checked by the deciders, which have the configuration; both answer 400 naming the field.
 */
const reasonOf = (problem: { reason: string } | undefined) => problem?.reason ?? 'is invalid';

/** An ISO 4217 currency code known to the runtime. */
export function IsCurrency(): PropertyDecorator {
  return ValidateBy({
    name: 'isCurrency',
    validator: {
      validate: (value: unknown) => currencyProblem('', value) === undefined,
      defaultMessage: (args?: ValidationArguments) => `${args?.property} ${reasonOf(currencyProblem('', args?.value))}`,
    },
  });
}

/**
 * An amount: finite, zero or more, with at most the minor-unit decimals of the currency in the
 * sibling property `currencyProperty` (when that is a known currency; otherwise its own check fails).
 */
export function IsMoneyAmount(currencyProperty?: string): PropertyDecorator {
  const problemOf = (value: unknown, object: object) => {
    const currency = currencyProperty ? (object as Record<string, unknown>)[currencyProperty] : undefined;
    return amountProblem('', value, isKnownCurrency(currency) ? minorUnitsOf(currency) : undefined);
  };
  return ValidateBy({
    name: 'isMoneyAmount',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => problemOf(value, args?.object ?? {}) === undefined,
      defaultMessage: (args?: ValidationArguments) => `${args?.property} ${reasonOf(problemOf(args?.value, args?.object ?? {}))}`,
    },
  });
}

/** An acquisition cost: it has no currency, so finite, zero or more, with at most 2 decimals. */
export function IsCost(): PropertyDecorator {
  return ValidateBy({
    name: 'isCost',
    validator: {
      validate: (value: unknown) => costProblem('', value) === undefined,
      defaultMessage: (args?: ValidationArguments) => `${args?.property} ${reasonOf(costProblem('', args?.value))}`,
    },
  });
}
