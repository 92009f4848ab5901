import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { OWNER_ID_PATTERN, SLUG, TEAM_LIMITS } from '@lead-lifecycle/domain';
import { IsBusinessTime } from '../http/business-time.validator';

export class CreateTeamDto {
  @ApiProperty({ example: 'emea-enterprise', pattern: SLUG.regex.source, description: 'a slug you choose, so the routing configuration can name it' })
  @IsString()
  @Matches(SLUG.regex, { message: `teamId ${SLUG.message}` })
  teamId: string;

  @ApiProperty({ example: 'EMEA enterprise', minLength: 1, maxLength: TEAM_LIMITS.nameMaxLength })
  @IsString()
  @MinLength(1)
  @MaxLength(TEAM_LIMITS.nameMaxLength)
  name: string;
}

export class AddTeamMemberDto {
  @ApiProperty({ example: 'rep-7', pattern: OWNER_ID_PATTERN.source, description: 'the owner id leads are assigned to (a rep key’s ownerId)' })
  @IsString()
  @Matches(OWNER_ID_PATTERN, { message: 'ownerId must be 1 to 128 characters without spaces' })
  ownerId: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: TEAM_LIMITS.maxCapacity, description: 'open leads at once; none: no limit' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(TEAM_LIMITS.maxCapacity)
  capacity?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: TEAM_LIMITS.maxWeight, default: 1, description: 'share of leads under the `weighted` strategy' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(TEAM_LIMITS.maxWeight)
  weight?: number;
}

export class MemberAvailabilityDto {
  @ApiProperty({ description: 'false: away (skipped by routing); true: back' }) @IsBoolean() available: boolean;

  @ApiPropertyOptional({ format: 'date-time', description: 'only with `available: false`: when the member is back (RFC 3339, in the future)' })
  @IsOptional()
  @IsBusinessTime()
  until?: string;
}
