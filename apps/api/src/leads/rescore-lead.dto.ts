import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/**
 * Body of `POST /v1/leads/:id/rescore`, optional: the score is computed as of now (the injected clock),
 * so the only thing to say is why, which the ScoreChanged event records for auditors.
 */
export class RescoreLeadDto {
  @ApiPropertyOptional({ example: 'repair after a projection quarantine', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason?: string;
}
