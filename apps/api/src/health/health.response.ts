import { ApiProperty } from '@nestjs/swagger';
import { POSITION_PATTERN } from '../http/command-receipt.response';

/** `GET /health`: the event store could be read. */
export class HealthResponse {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
  @ApiProperty({ enum: ['sqlite', 'eventstoredb'], description: 'the configured event store' }) eventStore: string;
  @ApiProperty({ pattern: POSITION_PATTERN, description: 'position of the newest event' }) headPosition: string;
}
