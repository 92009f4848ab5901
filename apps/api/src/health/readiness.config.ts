import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { settingsFromEnv, validateConfig } from '@lead-lifecycle/lifecycle';

/** When `GET /health/ready` says this instance can serve. Read from the environment at start-up. */
export class ReadinessConfig {
  /**
   * Most events a read model (funnel, scoring, KPIs) may still have to handle for the instance to be
   * ready: a new instance or one that fell behind is taken out of the balancer until it is within this.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  READY_MAX_LAG_EVENTS: number = 1000;

  static fromEnv(env: NodeJS.ProcessEnv = process.env): ReadinessConfig {
    return validateConfig('readiness', ReadinessConfig, settingsFromEnv(ReadinessConfig, env));
  }
}
