import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsISO31661Alpha2,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { BUSINESS_TIME_EXAMPLE, CALENDAR_DATE_EXAMPLE, CHANNELS, DISQUALIFICATION_REASONS, MAX_COMPANY_SIZE } from '@lead-lifecycle/domain';
import { BUSINESS_TIME_FORMAT, IsBusinessTime, IsCalendarDate } from '../http/business-time.validator';
import { IsCost, IsCurrency, IsMoneyAmount } from '../http/money.validator';


export class ContactDto {
  @ApiPropertyOptional({ example: 'ada@example.com' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsOptional()
  @IsEmail() @MaxLength(254) email?: string;
  @ApiPropertyOptional({ example: '+44 20 7946 0958' })
  @IsOptional()
  @IsString()
  @Matches(/^[+0-9 ().-]{6,32}$/, { message: 'phone must be digits, spaces, "+", "(", ")", "." or "-", 6 to 32 characters' })
  phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) firstName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) lastName?: string;
}

export class CompanyDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(300) name?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'employees', minimum: 1, maximum: MAX_COMPANY_SIZE }) @IsOptional() @IsInt() @Min(1) @Max(MAX_COMPANY_SIZE) size?: number;
  @ApiPropertyOptional({ example: 'software' }) @IsOptional() @IsString() @MaxLength(100) industry?: string;
  @ApiPropertyOptional({ example: 'GB' }) @IsOptional() @IsISO31661Alpha2() country?: string;
}

export class SourceDto {
  @ApiProperty({ enum: CHANNELS }) @IsIn(CHANNELS) channel: (typeof CHANNELS)[number];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) campaign?: string;
  @ApiPropertyOptional({ description: 'cost of acquiring this lead, zero or more, at most 2 decimals', minimum: 0 }) @IsOptional() @IsCost() cost?: number;
}

export class CaptureLeadDto {
  @ApiProperty({ type: ContactDto }) @IsDefined() @ValidateNested() @Type(() => ContactDto) contact: ContactDto;

  @ApiPropertyOptional({ description: 'id in the source system; one of contact.email, contact.phone or externalId is required' })
  @ValidateIf((o: CaptureLeadDto) => o.externalId !== undefined || (!o.contact?.email && !o.contact?.phone))
  @IsDefined({ message: 'at least one of contact.email, contact.phone or externalId is required' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  externalId?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) jobTitle?: string;
  @ApiPropertyOptional({ type: CompanyDto }) @IsOptional() @ValidateNested() @Type(() => CompanyDto) company?: CompanyDto;
  @ApiProperty({ type: SourceDto }) @IsDefined() @ValidateNested() @Type(() => SourceDto) source: SourceDto;
  @ApiPropertyOptional() @IsOptional() @IsObject() attributes?: Record<string, unknown>;
  @ApiPropertyOptional({ example: 'subscriber', description: 'a stage before lead of the lifecycle configuration (stages.beforeLead) to capture into; defaults to lead' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  stage?: string;
  @ApiPropertyOptional({ format: 'date-time', example: BUSINESS_TIME_EXAMPLE, description: `business time of the capture; defaults to now. ${BUSINESS_TIME_FORMAT}, stored in UTC with milliseconds` })
  @IsOptional()
  @IsBusinessTime()
  occurredAt?: string;
}

export class RecordActivityDto {
  @ApiProperty({ example: 'pricing_page_view', description: 'an activity type of the lifecycle configuration' })
  @IsString()
  @IsNotEmpty()
  type: string;
  @ApiPropertyOptional({ format: 'date-time', example: BUSINESS_TIME_EXAMPLE, description: `when it happened; defaults to now. ${BUSINESS_TIME_FORMAT}, stored in UTC with milliseconds` })
  @IsOptional()
  @IsBusinessTime()
  occurredAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsObject() properties?: Record<string, unknown>;
}

export class BantCriterionDto {
  @ApiProperty() @IsBoolean() met: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

export class BantDto {
  @ApiProperty({ type: BantCriterionDto }) @IsDefined() @ValidateNested() @Type(() => BantCriterionDto) budget: BantCriterionDto;
  @ApiProperty({ type: BantCriterionDto }) @IsDefined() @ValidateNested() @Type(() => BantCriterionDto) authority: BantCriterionDto;
  @ApiProperty({ type: BantCriterionDto }) @IsDefined() @ValidateNested() @Type(() => BantCriterionDto) need: BantCriterionDto;
  @ApiProperty({ type: BantCriterionDto }) @IsDefined() @ValidateNested() @Type(() => BantCriterionDto) timeline: BantCriterionDto;
}

export class PromoteToSqlDto {
  @ApiProperty({ type: BantDto }) @IsDefined() @ValidateNested() @Type(() => BantDto) bant: BantDto;
  @ApiProperty({ example: 'sdr-42' }) @IsString() @IsNotEmpty() @MaxLength(200) qualifiedBy: string;
  @ApiPropertyOptional({ format: 'date-time', example: BUSINESS_TIME_EXAMPLE, description: `when it happened; defaults to now. ${BUSINESS_TIME_FORMAT}, stored in UTC with milliseconds` })
  @IsOptional()
  @IsBusinessTime()
  occurredAt?: string;
}

export class AssignLeadDto {
  @ApiProperty({ example: 'rep-7' }) @IsString() @IsNotEmpty() @MaxLength(200) ownerId: string;
}

export class DisqualifyLeadDto {
  @ApiProperty({ enum: DISQUALIFICATION_REASONS }) @IsIn(DISQUALIFICATION_REASONS) reason: (typeof DISQUALIFICATION_REASONS)[number];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

/** The stage to advance to (`to` of AdvanceLeadStage; named `stage` here, as in the API `from` and `to` are times). */
export class AdvanceLeadStageDto {
  @ApiProperty({ example: 'lead', description: 'the next stage: through stages.beforeLead into lead, or from customer through stages.afterCustomer' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  stage: string;
}

export class RecycleLeadDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) reason?: string;
}

export class OpenOpportunityDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(300) name?: string;
  @ApiProperty({ example: 12000, minimum: 0, description: "zero or more, at most the currency's minor-unit decimals (EUR 2, JPY 0, BHD 3) and the configured maximum" })
  @IsMoneyAmount('currency')
  amount: number;
  @ApiProperty({ example: 'EUR', pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code known to the runtime' }) @IsCurrency() currency: string;
  @ApiPropertyOptional({ format: 'date', example: CALENDAR_DATE_EXAMPLE, description: 'calendar date, RFC 3339 full-date (YYYY-MM-DD)' })
  @IsOptional()
  @IsCalendarDate()
  expectedCloseDate?: string;
}

export class LeadQueryDto {
  @ApiPropertyOptional({ format: 'date-time', example: BUSINESS_TIME_EXAMPLE, description: `state as of this time. ${BUSINESS_TIME_FORMAT}` })
  @IsOptional()
  @IsBusinessTime()
  asOf?: string;
  @ApiPropertyOptional({ enum: ['business', 'recorded'], description: 'which time asOf compares with; default business' })
  @IsOptional()
  @IsIn(['business', 'recorded'])
  asOfTime?: 'business' | 'recorded';
  @ApiPropertyOptional({ description: 'state as of this stream revision' }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) revision?: number;
}

export class ForgetLeadDto {
  @ApiProperty({ example: 'GDPR erasure request #123' }) @IsString() @IsNotEmpty() @MaxLength(2000) reason: string;
}

export class HistoryQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'ndjson', 'csv'], default: 'json' }) @IsOptional() @IsIn(['json', 'ndjson', 'csv']) format?: 'json' | 'ndjson' | 'csv';
}
