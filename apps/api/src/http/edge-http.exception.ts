import { HttpException } from '@nestjs/common';
import type { FieldProblem } from '@lead-lifecycle/domain';
import { HttpErrorCode } from './api-error-code';

/**
 * A refusal by the HTTP edge itself (body parsing, media type, routing), already carrying its stable
 * code and, where the standard asks for one, a header (Allow on 405). The ErrorFilter turns it into the
 * one error shape. It extends HttpException so that Nest's own error handling passes it through untouched.
 */
export class EdgeHttpException extends HttpException {
  constructor(
    status: number,
    readonly code: HttpErrorCode,
    message: string,
    readonly problems?: readonly FieldProblem[],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super({ code, message, ...(problems ? { problems } : {}) }, status);
    this.name = 'EdgeHttpException';
  }
}

/** 400 VALIDATION_FAILED with one problem, for input the edge refuses before any DTO sees it. */
export function invalidInput(field: string, reason: string): EdgeHttpException {
  return new EdgeHttpException(400, HttpErrorCode.ValidationFailed, `${field}: ${reason}`, [{ field, reason }]);
}
