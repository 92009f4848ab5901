import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { POSITION_PATTERN } from '../http/command-receipt.response';

/** `GET /health`: the event store could be read. */
export class HealthResponse {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
  @ApiPropertyOptional({ enum: ['sqlite', 'eventstoredb'], description: 'the configured event store; only for a credential with projection status' }) eventStore?: string;
  @ApiPropertyOptional({ pattern: POSITION_PATTERN, description: 'position of the newest event; only for a credential with projection status' }) headPosition?: string;
}

/** One check of `GET /health/ready`. */
export class ReadinessCheckResponse {
  @ApiProperty({ enum: ['eventStore', 'readModels'] }) name: 'eventStore' | 'readModels';
  @ApiProperty() ok: boolean;
  @ApiPropertyOptional({ description: 'why the check failed' }) reason?: string;
}

/** A lease this instance holds: it runs that processor for the whole fleet. */
export class HeldLeaseResponse {
  @ApiProperty({ example: 'relay:kafka' }) name: string;
  @ApiProperty({ minimum: 1, description: 'the fencing term of this tenure' }) term: number;
}

/** `GET /health/ready`: this instance can serve. */
export class ReadinessResponse {
  @ApiProperty({ enum: ['ready'] }) status: 'ready';
  @ApiProperty({ type: [ReadinessCheckResponse] }) checks: ReadinessCheckResponse[];
  @ApiPropertyOptional({ type: [HeldLeaseResponse], description: 'the leases this instance holds; only for a credential with projection status' })
  leases?: HeldLeaseResponse[];
}
