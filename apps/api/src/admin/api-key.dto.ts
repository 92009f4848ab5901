import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString } from 'class-validator';
import { ROLES } from '@lead-lifecycle/identity';

/**
 * A key request. Only the types are checked here; the store validates the values (tenant id rule, known
 * roles, owner of a rep key, expiry in the future) and answers 400 with every problem.
 */
export class CreateApiKeyDto {
  @ApiProperty({ example: 'acme' }) @IsString() tenantId: string;
  @ApiProperty({ enum: ROLES, isArray: true, example: ['rep'] }) @IsArray() @ArrayMaxSize(ROLES.length) @IsString({ each: true }) roles: string[];
  @ApiProperty({ example: 'crm sync' }) @IsString() name: string;
  @ApiPropertyOptional({ example: 'rep-7', description: 'the sales owner a rep key acts as; required with rep' }) @IsOptional() @IsString() ownerId?: string;
  @ApiPropertyOptional({ example: '2027-01-01T00:00:00Z', format: 'date-time' }) @IsOptional() @IsString() expiresAt?: string;
}

export class ListApiKeysQueryDto {
  @ApiPropertyOptional({ example: 'acme', description: 'only the keys of this tenant' }) @IsOptional() @IsString() tenantId?: string;
}
