import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { HttpErrorCode } from './api-error-code';
import { httpStatusName } from './http-status-name';

/** class-validator on every body and query: 400 listing every bad field and why. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
