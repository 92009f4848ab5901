import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { API_ERROR_CODES } from './api-error-code';

export class FieldProblemDto {
  @ApiProperty({ example: 'occurredAt' }) field: string;
  @ApiProperty({ example: 'must be an RFC 3339 date-time with a time zone offset' }) reason: string;
}

/**
 * The one shape of every error answer, whichever layer refused the request (body parser, router,
 * validation pipe, domain, event store). Some codes add details, such as `currentStage` for
 * LIFECYCLE_VIOLATION; those appear as further properties.
 */
export class ErrorResponseDto {
  @ApiProperty({ example: 400, description: 'the HTTP status, repeated' }) statusCode: number;
  @ApiProperty({ example: 'BAD_REQUEST', description: "the status's name in upper snake case" }) error: string;
  @ApiProperty({ enum: API_ERROR_CODES, example: 'VALIDATION_FAILED', description: 'stable code; switch on this' }) code: string;
  @ApiProperty({ example: 'the request is invalid' }) message: string;
  @ApiPropertyOptional({ type: [FieldProblemDto], description: 'every bad field, for 400 answers' }) problems?: FieldProblemDto[];
}
