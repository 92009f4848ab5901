import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { allows, CurrentPrincipal, Principal, Public } from '@lead-lifecycle/identity';
import { ApiQueryOperation } from '../http/api-responses.decorator';
import { ErrorResponseDto } from '../http/error-response.dto';
import { HttpErrorCode } from '../http/api-error-code';
import { HealthResponse, ReadinessResponse } from './health.response';
import { Readiness } from './readiness.service';
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
    private readonly readiness: Readiness,
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

  /**
   * Readiness, for a balancer in front of a fleet: 200 when this instance can serve, 503 NOT_READY
   * naming the failed check otherwise. Liveness stays `GET /health`.
   */
  @Get('ready')
  @Public()
  @ApiQueryOperation({
    summary: 'Whether this instance can serve',
    description:
      'Answers 200 when the event store can be read and every read model (funnel, scoring, KPIs) is at most READY_MAX_LAG_EVENTS ' +
      'events behind the head and not stopped; 503 NOT_READY with `checks` naming the failed check otherwise. No credential needed; ' +
      'the leases this instance holds (the processors it runs for the whole fleet) only for a credential whose roles grant projection status.',
    validates: false,
    public: true,
    store: false,
    success: { status: 200, type: ReadinessResponse, description: 'ready' },
  })
  @ApiResponse({
    status: 503,
    description: 'NOT_READY: the event store cannot be read or a read model is too far behind; `checks` lists every check with the reason of each failed one',
    type: ErrorResponseDto,
  })
  async ready(@CurrentPrincipal() principal?: Principal) {
    const report = await this.readiness.check();
    if (!report.ready) {
      const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
      throw new HttpException(
        { code: HttpErrorCode.NotReady, message: `not ready: ${failed.join(', ')} failed`, checks: report.checks },
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
    const answer = { status: 'ready' as const, checks: report.checks };
    // Which instance runs the relay is operational detail: only for a caller that may see processor status.
    if (!principal || !allows(principal, 'projection:status')) return answer;
    return { ...answer, leases: report.leases };
  }
}
