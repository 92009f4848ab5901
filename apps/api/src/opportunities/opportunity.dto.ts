import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsNumber, IsOptional, IsString, MaxLength, Min } from 'class-validator';

export class ChangeStageDto {
  @ApiProperty({ example: 'proposal', description: 'a stage of the configured pipeline' }) @IsString() @IsNotEmpty() stage: string;
}

export class WinOpportunityDto {
  @ApiPropertyOptional({ description: "final amount; defaults to the opportunity's amount" }) @IsOptional() @IsNumber() @Min(0) amount?: number;
}

export class LoseOpportunityDto {
  @ApiProperty({ example: 'price' }) @IsString() @IsNotEmpty() @MaxLength(200) reason: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) note?: string;
}
