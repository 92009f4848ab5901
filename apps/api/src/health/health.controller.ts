import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiQueryOperation } from '../http/api-responses.decorator';
import { HealthResponse } from './health.response';
import type { EventStore } from '@lead-lifecycle/event-store';
import { positionToString } from '@lead-lifecycle/event-store';
import { ENGINE_CONFIG, EngineConfig, EVENT_STORE } from '@lead-lifecycle/lifecycle';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ENGINE_CONFIG) private readonly engine: EngineConfig,
  ) {}

  /** Answers 200 when the event store can be read, 503 (through the error filter) when it cannot. */
  @Get()
  @ApiQueryOperation({
    summary: 'Whether the event store can be read',
    description: 'Answers 200 when the event store can be read, 503 when it cannot: for load balancers and orchestrators.',
    validates: false,
    success: { status: 200, type: HealthResponse, description: 'healthy' },
  })
  async check() {
    const head = await this.store.headPosition();
    return { status: 'ok', eventStore: this.engine.EVENT_STORE, headPosition: positionToString(head) };
  }
}
