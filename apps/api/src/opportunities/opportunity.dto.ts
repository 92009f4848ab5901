import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsMoneyAmount } from '../http/money.validator';

export class ChangeStageDto {
  @ApiProperty({ example: 'proposal', description: 'a stage of the configured pipeline' }) @IsString() @IsNotEmpty() stage: string;
}

export class WinOpportunityDto {
  @ApiPropertyOptional({ minimum: 0, description: "final amount in the opportunity's currency (at most its minor-unit decimals); defaults to the opportunity's amount" })
  @IsOptional()
  @IsMoneyAmount()
  amount?: number;
}

export class LoseOpportunityDto {
  @ApiProperty({ example: 'price' }) @IsString() @IsNotEmpty() @MaxLength(200) reason: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) note?: string;
}
