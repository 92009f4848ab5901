import { CONSISTENCY_TOKEN_PATTERN } from '../http/consistency-token';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { BUSINESS_TIME_EXAMPLE, CHANNELS, LEAD_STAGES } from '@lead-lifecycle/domain';
import { BUSINESS_TIME_FORMAT, IsBusinessTime } from '../http/business-time.validator';

/** How the API describes a business time parameter: the format IsBusinessTime accepts (GET /v1/sla uses it too). */

/** Read your own writes: the `position` a command answered with. */
export class ReadYourWritesDto {
  @ApiPropertyOptional({
    pattern: CONSISTENCY_TOKEN_PATTERN,
    description: "the `position` token a command of this tenant answered: wait (bounded) until the read model has handled that write",
  })
  @IsOptional()
  @Matches(new RegExp(CONSISTENCY_TOKEN_PATTERN), { message: 'minPosition must be the position token a command answered' })
  minPosition?: string;
}

export class CohortDto extends ReadYourWritesDto {
  @ApiPropertyOptional({ format: 'date-time', example: BUSINESS_TIME_EXAMPLE, description: `leads captured at or after (${BUSINESS_TIME_FORMAT})` })
  @IsOptional()
  @IsBusinessTime()
  from?: string;
  @ApiPropertyOptional({ format: 'date-time', example: BUSINESS_TIME_EXAMPLE, description: `leads captured before (${BUSINESS_TIME_FORMAT})` })
  @IsOptional()
  @IsBusinessTime()
  to?: string;
  @ApiPropertyOptional({ enum: CHANNELS }) @IsOptional() @IsIn(CHANNELS) channel?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) campaign?: string;
}

export class FunnelQueryDto extends CohortDto {
  @ApiPropertyOptional({ enum: ['channel', 'campaign'] }) @IsOptional() @IsIn(['channel', 'campaign']) groupBy?: 'channel' | 'campaign';
}

export class LeadListQueryDto extends ReadYourWritesDto {
  @ApiPropertyOptional({ enum: LEAD_STAGES }) @IsOptional() @IsIn(LEAD_STAGES) stage?: string;
  @ApiPropertyOptional({ enum: ['cold', 'warm', 'hot'] }) @IsOptional() @IsIn(['cold', 'warm', 'hot']) temperature?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) ownerId?: string;
  @ApiPropertyOptional({ enum: CHANNELS }) @IsOptional() @IsIn(CHANNELS) channel?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsNumber() minScore?: number;
  @ApiPropertyOptional({ enum: ['score', 'lastActivity'], default: 'score' }) @IsOptional() @IsIn(['score', 'lastActivity']) sort?: 'score' | 'lastActivity';
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @IsOptional() @IsString() @MaxLength(1000) cursor?: string;
}
