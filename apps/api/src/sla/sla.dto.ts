import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { BUSINESS_TIME_EXAMPLE, CHANNELS } from '@lead-lifecycle/domain';
import { IsBusinessTime } from '../http/business-time.validator';
import { BUSINESS_TIME_FORMAT } from '../http/business-time.validator';

/** GET /v1/sla: which SLAs the report covers (every parameter optional; any other is refused). */
export class SlaQueryDto {
  @ApiPropertyOptional({ format: 'date-time', example: BUSINESS_TIME_EXAMPLE, description: `SLAs started at or after (${BUSINESS_TIME_FORMAT})` })
  @IsOptional()
  @IsBusinessTime()
  from?: string;
  @ApiPropertyOptional({ format: 'date-time', example: BUSINESS_TIME_EXAMPLE, description: `SLAs started before (${BUSINESS_TIME_FORMAT})` })
  @IsOptional()
  @IsBusinessTime()
  to?: string;
  @ApiPropertyOptional({ enum: CHANNELS, description: 'SLAs of leads captured from this channel' }) @IsOptional() @IsIn(CHANNELS) channel?: string;
}
