import { applyDecorators, Body, Controller, Type, Delete, Get, HttpCode, Inject, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '../http/error-response.dto';
import { ApiAccessErrors } from '../http/api-responses.decorator';
import { NotReplayed } from '../http/idempotency.interceptor';
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
  @NotReplayed()
  @ApiAdminOperation({
    summary: 'Create an API key for a tenant; the key is in this answer only',
    description: 'Only the platform key may. The key (`llk_<keyId>_<secret>`) is stored as a hash; it cannot be shown again.',
    success: { status: 201, type: CreatedApiKeyResponse, description: 'created' },
    body: true,
  })
  async create(@Body() body: CreateApiKeyDto) {
    const created = await this.store.create(body, this.clock.now());
    return { ...view(created), key: created.key };
  }

  @Get()
  @ApiAdminOperation({
    summary: 'The API keys, of one tenant or all, without secrets',
    description: 'Only the platform key may. Revoked and expired keys are listed too, with when.',
    success: { status: 200, type: ApiKeyListResponse, description: 'the keys' },
  })
  async list(@Query() query: ListApiKeysQueryDto) {
    return { items: (await this.store.list(query.tenantId)).map(view) };
  }

  @Delete(':keyId')
  @HttpCode(204)
  @ApiRevokeOperation()
  async revoke(@Param('keyId') keyId: string): Promise<void> {
    if (!(await this.store.revoke(keyId, this.clock.now()))) {
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
    ApiOperation({ summary: 'Revoke an API key; effective for the next request', description: 'Only the platform key may. Revoking a revoked key keeps the first time.' }),
    ApiParam({ name: 'keyId', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{16}$' } }),
    ApiResponse({ status: 204, description: 'revoked (or already revoked)' }),
    ApiResponse({ status: 404, description: 'API_KEY_NOT_FOUND: no such key', type: ErrorResponseDto }),
    ApiAccessErrors(),
  );
}

/**
 * Key management: the success answer, the access refusals, and for the POST the body's refusals. No event
 * store behind it, so none of its faults (409, 503); no Idempotency-Key, since a replay would need the secret stored.
 */
function ApiAdminOperation(options: { summary: string; description: string; success: { status: number; type: Type<unknown>; description: string }; body?: boolean }) {
  const error = (status: number, description: string) => ApiResponse({ status, description, type: ErrorResponseDto });
  return applyDecorators(
    ApiOperation({ summary: options.summary, description: options.description }),
    ApiResponse(options.success),
    ApiAccessErrors(),
    ...(options.body
      ? [
          error(400, 'VALIDATION_FAILED, MALFORMED_JSON or INVALID_COMMAND: `problems` lists every bad field (tenant id, roles, owner of a rep key, expiry)'),
          error(413, 'BODY_TOO_LARGE: the body is over the size limit'),
          error(415, 'UNSUPPORTED_MEDIA_TYPE: the body is not `application/json` in UTF-8; UNSUPPORTED_CONTENT_ENCODING'),
        ]
      : []),
  );
}
