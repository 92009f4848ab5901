import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { POSITION_PATTERN } from '../http/command-receipt.response';

/** `GET /health`: the event store could be read. */
export class HealthResponse {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
  @ApiPropertyOptional({ enum: ['sqlite', 'eventstoredb'], description: 'the configured event store; only for a credential with projection status' }) eventStore?: string;
  @ApiPropertyOptional({ pattern: POSITION_PATTERN, description: 'position of the newest event; only for a credential with projection status' }) headPosition?: string;
}
