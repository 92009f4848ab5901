import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, DomainErrorCode, InvalidCommandError } from '@lead-lifecycle/domain';
import { EventStoreError, EventStoreErrorCode } from '@lead-lifecycle/event-store';

const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  [DomainErrorCode.InvalidCommand]: HttpStatus.BAD_REQUEST,
  [DomainErrorCode.LeadNotFound]: HttpStatus.NOT_FOUND,
  [DomainErrorCode.OpportunityNotFound]: HttpStatus.NOT_FOUND,
  [DomainErrorCode.LeadAlreadyExists]: HttpStatus.CONFLICT,
  [DomainErrorCode.LifecycleViolation]: HttpStatus.CONFLICT,
  [DomainErrorCode.QualificationRefused]: HttpStatus.CONFLICT,
  [DomainErrorCode.ConcurrencyConflict]: HttpStatus.CONFLICT,
  [DomainErrorCode.InvalidConfiguration]: HttpStatus.INTERNAL_SERVER_ERROR,
  [DomainErrorCode.ProjectionBehind]: HttpStatus.SERVICE_UNAVAILABLE,
};

/** The one place where errors become HTTP answers: `{ statusCode, error, code, message, ...details }`. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.translate(exception);
    if (status >= 500) this.logger.error((exception as Error)?.stack ?? String(exception));
    response.status(status).json(body);
  }

  private translate(exception: unknown): { status: number; body: Record<string, unknown> } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      return { status, body: typeof payload === 'object' ? (payload as Record<string, unknown>) : { statusCode: status, message: payload } };
    }
    if (exception instanceof DomainError) {
      const status = STATUS_BY_CODE[exception.code];
      const problems = exception instanceof InvalidCommandError ? { problems: exception.problems } : {};
      return {
        status,
        body: { statusCode: status, error: HttpStatus[status], code: exception.code, message: exception.message, ...exception.details, ...problems },
      };
    }
    if (exception instanceof EventStoreError) {
      const status =
        exception.code === EventStoreErrorCode.Unavailable
          ? HttpStatus.SERVICE_UNAVAILABLE
          : exception.code === EventStoreErrorCode.WrongExpectedRevision
            ? HttpStatus.CONFLICT
            : HttpStatus.INTERNAL_SERVER_ERROR;
      return { status, body: { statusCode: status, error: HttpStatus[status], code: exception.code, message: exception.message, retryable: exception.retryable } };
    }
    return { status: 500, body: { statusCode: 500, error: 'INTERNAL_SERVER_ERROR', message: 'internal error' } };
  }
}
