import { Inject, Injectable } from '@nestjs/common';
import {
  businessTimeWindowProblem,
  Clock,
  DEFAULT_LIFECYCLE_CONFIG,
  InvalidCommandError,
  isBusinessTime,
  LifecycleConfig,
} from '@lead-lifecycle/domain';
import { CLOCK, LIFECYCLE_CONFIG } from '../lifecycle.tokens';

/**
 * Refuses a command whose business time lies outside the window around now (LifecycleConfig.time):
 * later than now plus the skew, or backdated further than allowed. It needs "now", which the pure
 * deciders do not have, so it runs in the lifecycle layer before deciding; the deciders check the
 * form of the time themselves. Reactions do not pass here: they replay times already accepted.
 */
@Injectable()
export class BusinessTimeGuard {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LIFECYCLE_CONFIG) private readonly config: LifecycleConfig,
  ) {}

  /** Throws InvalidCommandError naming `occurredAt` when the command's time is outside the window. */
  check(command: { readonly occurredAt: string }): void {
    // A malformed time is the decider's to refuse, with its own reason.
    if (!isBusinessTime(command.occurredAt)) return;
    const problem = businessTimeWindowProblem('occurredAt', command.occurredAt, this.clock.now(), this.config.time ?? DEFAULT_LIFECYCLE_CONFIG.time);
    if (problem) throw new InvalidCommandError([problem]);
  }
}
