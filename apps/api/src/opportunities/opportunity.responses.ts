import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CommandReceiptResponse } from '../http/command-receipt.response';

/** Answer of a command on an opportunity. */
export class OpportunityCommandResponse extends CommandReceiptResponse {
  @ApiProperty({ format: 'uuid' }) opportunityId: string;
}

/** An opportunity as `GET /v1/opportunities/:id` shows it (see `opportunityView`). */
export class OpportunityResponse {
  @ApiProperty({ format: 'uuid' }) opportunityId: string;
  @ApiProperty({ format: 'uuid' }) leadId: string;
  @ApiProperty({ example: 'default' }) tenantId: string;
  @ApiProperty({ enum: ['open', 'won', 'lost'] }) status: string;
  @ApiProperty({ type: 'string', nullable: true, example: 'Acme rollout' }) name: string | null;
  @ApiProperty({ minimum: 0, example: 24000, description: 'expected amount, in `currency`' }) amount: number;
  @ApiProperty({ pattern: '^[A-Z]{3}$', example: 'EUR', description: 'ISO 4217' }) currency: string;
  @ApiProperty({ type: 'string', nullable: true, example: '2026-12-31', description: 'ISO 8601 date given when it was opened' })
  expectedCloseDate: string | null;
  @ApiProperty({ example: 'proposal', description: 'its stage in `pipeline`' }) stage: string;
  @ApiProperty({ type: [String], example: ['qualification', 'proposal', 'negotiation'], description: 'the pipeline it was opened with' }) pipeline: string[];
  @ApiProperty({ format: 'date-time' }) openedAt: string;
  @ApiProperty({ format: 'date-time', description: 'when it entered its current stage (the start of its idle spell)' }) stageEnteredAt: string;
  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'when it stalled in its current stage (OpportunityStalled, aging.stalledAfter); null while it is not stalled',
  })
  stalledAt: string | null;
  @ApiPropertyOptional({ format: 'date-time', description: 'only when won or lost' }) closedAt?: string;
  @ApiPropertyOptional({ minimum: 0, description: 'only when won: the final amount' }) wonAmount?: number;
  @ApiPropertyOptional({ description: 'only when lost' }) lossReason?: string;
  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'only when lost' }) lossNote?: string | null;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 0, description: 'stream revision' }) revision: number | null;
}
