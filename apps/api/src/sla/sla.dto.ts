import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { BUSINESS_TIME_EXAMPLE, CHANNELS } from '@lead-lifecycle/domain';
import { IsBusinessTime } from '../http/business-time.validator';

const BUSINESS_TIME = 'RFC 3339 date-time with seconds and a time zone offset';

/** GET /v1/sla: which SLAs the report covers (every parameter optional; any other is refused). */
export class SlaQueryDto {
  @ApiPropertyOptional({ format: 'date-time', example: BUSINESS_TIME_EXAMPLE, description: `SLAs started at or after (${BUSINESS_TIME})` })
  @IsOptional()
  @IsBusinessTime()
  from?: string;
  @ApiPropertyOptional({ format: 'date-time', example: BUSINESS_TIME_EXAMPLE, description: `SLAs started before (${BUSINESS_TIME})` })
  @IsOptional()
  @IsBusinessTime()
  to?: string;
  @ApiPropertyOptional({ enum: CHANNELS, description: 'SLAs of leads captured from this channel' }) @IsOptional() @IsIn(CHANNELS) channel?: string;
}
