import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { allows, CurrentPrincipal, Principal, Public } from '@lead-lifecycle/identity';
import { ApiQueryOperation } from '../http/api-responses.decorator';
import { HealthResponse } from './health.response';
import type { EventStore } from '@lead-lifecycle/eventing';
import { positionToString } from '@lead-lifecycle/eventing';
import { ENGINE_CONFIG, EngineConfig } from '@lead-lifecycle/lifecycle';
import { EVENT_STORE } from '@lead-lifecycle/eventing';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ENGINE_CONFIG) private readonly engine: EngineConfig,
  ) {}

  /** Answers 200 when the event store can be read, 503 (through the error filter) when it cannot. */
  @Get()
  @Public()
  @ApiQueryOperation({
    summary: 'Whether the event store can be read',
    description:
      'Answers 200 when the event store can be read, 503 when it cannot: for load balancers and orchestrators. No credential needed; ' +
      'the store kind and head position only for a credential whose roles grant projection status.',
    validates: false,
    public: true,
    success: { status: 200, type: HealthResponse, description: 'healthy' },
  })
  async check(@CurrentPrincipal() principal?: Principal) {
    const head = await this.store.headPosition();
    // The head position says how much every tenant writes: only for a caller that may see processor status.
    if (!principal || !allows(principal, 'projection:status')) return { status: 'ok' };
    return { status: 'ok', eventStore: this.engine.EVENT_STORE, headPosition: positionToString(head) };
  }
}
