import { applyDecorators, Body, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '../http/error-response.dto';
import { ApiAccessErrors, ApiCommandOperation, ApiQueryOperation } from '../http/api-responses.decorator';
import { ApiKeyListResponse, CreatedApiKeyResponse } from './api-key.responses';
import type { Clock } from '@lead-lifecycle/domain';
import { API_KEY_NOT_FOUND, API_KEY_STORE, ApiKeyRecord, ApiKeyStore, IDENTITY_CLOCK, Requires } from '@lead-lifecycle/identity';
import { CreateApiKeyDto, ListApiKeysQueryDto } from './api-key.dto';

/** Key management over HTTP, for the platform key only (`apikey:manage`). */
@ApiTags('admin')
@Requires('apikey:manage')
@Controller('v1/admin/api-keys')
export class ApiKeysController {
  constructor(
    @Inject(API_KEY_STORE) private readonly store: ApiKeyStore,
    @Inject(IDENTITY_CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @ApiCommandOperation({
    summary: 'Create an API key for a tenant; the key is in this answer only',
    success: [{ status: 201, type: CreatedApiKeyResponse, description: 'created' }],
  })
  create(@Body() body: CreateApiKeyDto) {
    const created = this.store.create(body, this.clock.now());
    return { ...view(created), key: created.key };
  }

  @Get()
  @ApiQueryOperation({
    summary: 'The API keys, of one tenant or all, without secrets',
    success: { status: 200, type: ApiKeyListResponse, description: 'the keys' },
  })
  list(@Query() query: ListApiKeysQueryDto) {
    return { items: this.store.list(query.tenantId).map(view) };
  }

  @Delete(':keyId')
  @HttpCode(204)
  @ApiRevokeOperation()
  revoke(@Param('keyId') keyId: string): void {
    if (!this.store.revoke(keyId, this.clock.now())) {
      throw new NotFoundException({ statusCode: 404, error: 'NOT_FOUND', code: API_KEY_NOT_FOUND, message: `no API key ${keyId}` });
    }
  }
}

/** A key without secret; absent optional fields are null, so every answer has the same properties. */
function view(record: ApiKeyRecord) {
  return {
    keyId: record.keyId,
    tenantId: record.tenantId,
    roles: record.roles,
    name: record.name,
    ownerId: record.ownerId ?? null,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt ?? null,
    revokedAt: record.revokedAt ?? null,
    lastUsedAt: record.lastUsedAt ?? null,
  };
}

/** DELETE: 204, or 404 API_KEY_NOT_FOUND; the access refusals of every route. */
function ApiRevokeOperation() {
  return applyDecorators(
    ApiOperation({ summary: 'Revoke an API key; effective for the next request' }),
    ApiParam({ name: 'keyId', required: true, schema: { type: 'string' } }),
    ApiResponse({ status: 204, description: 'revoked (or already revoked)' }),
    ApiResponse({ status: 404, description: 'API_KEY_NOT_FOUND: no such key', type: ErrorResponseDto }),
    ApiResponse({ status: 500, description: 'INTERNAL_ERROR: a fault of the service, logged with its cause', type: ErrorResponseDto }),
    ApiAccessErrors(),
  );
}
