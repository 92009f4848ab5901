import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, type ValidationArguments } from 'class-validator';
import { calendarDateProblem, parseBusinessTime, readBusinessTime } from '@lead-lifecycle/domain';

/** How the OpenAPI descriptions name a business time field's form (one wording for every route). */
export const BUSINESS_TIME_FORMAT = 'RFC 3339 date-time with seconds and a time zone offset';

/**
 * A business time field: an RFC 3339 date-time with seconds and a time zone offset (the domain's
 * parser, libs/domain/src/shared/business-time.ts), rewritten to UTC with milliseconds
 * (`2026-02-01T11:00:00+01:00` → `2026-02-01T10:00:00.000Z`) before the command sees it. Anything else
 * is refused with a message naming the field and saying why. The window around now (future skew,
 * backdating) needs the clock and is checked by the lifecycle layer, for commands only.
 */
export function IsBusinessTime(): PropertyDecorator {
  return applyDecorators(
    // class-transformer runs before class-validator: a valid time is normalised, anything else is
    // left as sent for the validator to refuse.
    Transform(({ value }: { value: unknown }) => parseBusinessTime(value) ?? value),
    ValidateBy({
      name: 'isBusinessTime',
      validator: {
        validate: (value: unknown) => readBusinessTime(value).ok,
        defaultMessage: (args?: ValidationArguments) => {
          const parsed = readBusinessTime(args?.value);
          return `${args?.property} ${parsed.ok ? 'is invalid' : parsed.reason}`;
        },
      },
    }),
  );
}

/** A calendar date field: RFC 3339 `full-date` (`YYYY-MM-DD`, a real day), kept as sent. */
export function IsCalendarDate(): PropertyDecorator {
  return ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: (value: unknown) => calendarDateProblem('', value) === undefined,
      defaultMessage: (args?: ValidationArguments) => `${args?.property} ${calendarDateProblem('', args?.value)?.reason ?? 'is invalid'}`,
    },
  });
}
