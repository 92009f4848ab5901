import { ApiProperty } from '@nestjs/swagger';
import { ROLES } from '@lead-lifecycle/identity';

/** An API key as the admin routes show it: never its secret, absent optional fields as null. */
export class ApiKeyResponse {
  @ApiProperty({ pattern: '^[0-9a-f]{16}$', example: '0123456789abcdef', description: 'the public part of the key (`llk_<keyId>_…`)' }) keyId: string;
  @ApiProperty({ example: 'acme' }) tenantId: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles: string[];
  @ApiProperty({ example: 'crm sync' }) name: string;
  @ApiProperty({ type: 'string', nullable: true, description: 'the sales owner a rep key acts as' }) ownerId: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) revokedAt: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) lastUsedAt: string | null;
}

/** A new key: the only answer that holds the secret. */
export class CreatedApiKeyResponse extends ApiKeyResponse {
  @ApiProperty({ description: 'the bearer token; shown this once, stored only as a hash' }) key: string;
}

export class ApiKeyListResponse {
  @ApiProperty({ type: ApiKeyResponse, isArray: true }) items: ApiKeyResponse[];
}
