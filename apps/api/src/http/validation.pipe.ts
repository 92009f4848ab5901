import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { ValidationError, type ValidatorOptions } from 'class-validator';
import { HttpErrorCode } from './api-error-code';
import { httpStatusName } from './http-status-name';

/** Declared property types that are not DTO classes. */
const NOT_A_DTO: ReadonlySet<unknown> = new Set([Object, Array, String, Number, Boolean, Date, BigInt, Symbol, Function]);

/**
 * class-validator, and one rule it lacks: `@ValidateNested()` with `@Type(() => ContactDto)` takes an
 * array for the object (class-transformer maps it to an array of DTOs, and an empty one has nothing to
 * validate), so `"company": []` would pass. A property declared as a DTO class must hold an object.
 */
class DtoValidationPipe extends ValidationPipe {
  protected override async validate(object: object, options?: ValidatorOptions): Promise<ValidationError[]> {
    const errors = await super.validate(object, options);
    return [...errors, ...arraysInPlaceOfObjects(object)];
  }
}

function arraysInPlaceOfObjects(instance: object, prefix = ''): ValidationError[] {
  return Object.keys(instance).flatMap((key) => {
    const declared: unknown = Reflect.getMetadata('design:type', instance, key);
    if (typeof declared !== 'function' || NOT_A_DTO.has(declared)) return [];
    const value: unknown = (instance as Record<string, unknown>)[key];
    const property = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) {
      return [Object.assign(new ValidationError(), { property, value, constraints: { isObject: `${property} must be an object, not an array` }, children: [] })];
    }
    return value instanceof declared ? arraysInPlaceOfObjects(value, property) : [];
  });
}

/** class-validator on every body and query: 400 listing every bad field and why. */
export function createValidationPipe(): ValidationPipe {
  return new DtoValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) =>
      new BadRequestException({
        statusCode: 400,
        error: httpStatusName(400),
        code: HttpErrorCode.ValidationFailed,
        message: 'the request is invalid',
        problems: flatten(errors),
      }),
  });
}

function flatten(errors: ValidationError[], prefix = ''): Array<{ field: string; reason: string }> {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((reason) => ({ field, reason }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
