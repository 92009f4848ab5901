import { Logger } from '@nestjs/common';
import { type Clock, type EnrichmentHook, type EnrichmentRequest, enrichmentResultOf, ExtensionError, type LeadEnrichment } from '@lead-lifecycle/domain';

/** The host's enrichment at capture (README, Embedding, Extension points). */
export interface LeadEnrichmentOptions {
  /**
   * Looks the lead up when a capture creates it (a firmographic directory by email domain, say), before
   * anything is written. Its answer is recorded as LeadEnriched right after LeadCaptured, so replay,
   * as-of queries and rescores never call it again. A result that is not `{ source, attributes }` with
   * flat string, number or boolean values within ENRICHMENT_LIMITS refuses the capture (ExtensionError,
   * INVALID_CONFIGURATION, nothing written). A hook that throws, rejects or does not answer within
   * `timeoutMs` does not: the lead is captured without enrichment and a warning is logged, so a lookup
   * that is down never loses a lead. It is not retried later.
   */
  readonly atCapture?: EnrichmentHook;
  /**
   * How long a capture waits for the hook, in milliseconds (default 2000, at most 30000). Measured by a
   * real timer, not the engine's clock: the injected clock only tells the time, it cannot wake anyone.
   */
  readonly timeoutMs?: number;
}

export const DEFAULT_ENRICHMENT_TIMEOUT_MS = 2_000;
export const MAX_ENRICHMENT_TIMEOUT_MS = 30_000;

/** Why the hook gave no answer in time. */
class EnrichmentTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'EnrichmentTimeoutError';
  }
}

/**
 * Calls the host's enrichment hook for the capture handler, with a timeout, and turns its answer into
 * the checked data the decision records. Built at start from the module options: a hook that is not a
 * function, or a timeout out of range, fails the start with ExtensionError.
 */
export class CaptureEnricher {
  private readonly hook?: EnrichmentHook;
  private readonly timeoutMs: number;

  constructor(
    options: LeadEnrichmentOptions | undefined,
    private readonly clock: Clock,
    private readonly logger: Pick<Logger, 'warn'> = new Logger('CaptureEnricher'),
  ) {
    const hook: unknown = options?.atCapture;
    if (hook !== undefined && typeof hook !== 'function') throw new ExtensionError('enrichment.atCapture', `must be a function (got ${typeof hook})`);
    const timeoutMs: unknown = options?.timeoutMs ?? DEFAULT_ENRICHMENT_TIMEOUT_MS;
    if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_ENRICHMENT_TIMEOUT_MS) {
      throw new ExtensionError('enrichment.timeoutMs', `must be a whole number of milliseconds from 1 to ${MAX_ENRICHMENT_TIMEOUT_MS} (got ${String(timeoutMs)})`);
    }
    this.hook = hook as EnrichmentHook | undefined;
    this.timeoutMs = timeoutMs;
  }

  /** Whether a hook is configured (without one, a capture never waits for anything). */
  get enabled(): boolean {
    return this.hook !== undefined;
  }

  /**
   * The hook's checked answer for the lead, with when it came; undefined when there is no hook, it found
   * nothing, or it failed or timed out (logged). Throws ExtensionError for an answer of the wrong shape.
   */
  async enrich(lead: EnrichmentRequest): Promise<LeadEnrichment | undefined> {
    if (!this.hook) return undefined;
    let answer: unknown;
    try {
      answer = await this.call(this.hook, lead);
    } catch (error) {
      // The lead matters more than its firmographics: capture it without them. The message is the
      // host's, so it is shortened; the contact is not logged.
      const why = String((error as Error)?.message ?? error).slice(0, 200);
      this.logger.warn(`enrichment.atCapture failed for lead ${lead.leadId} of tenant ${lead.tenantId} (${why}); captured without enrichment`);
      return undefined;
    }
    const result = enrichmentResultOf(answer);
    return result && { ...result, enrichedAt: this.clock.now().toISOString() };
  }

  private async call(hook: EnrichmentHook, lead: EnrichmentRequest): Promise<unknown> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new EnrichmentTimeoutError(this.timeoutMs));
      }, this.timeoutMs);
      // A pending lookup must not keep a process that is shutting down alive.
      timer.unref();
    });
    // A synchronous throw becomes a rejection; a late rejection after the timeout is not left unhandled.
    const answered = Promise.resolve().then(() => hook(lead, { signal: controller.signal }));
    answered.catch(() => undefined);
    try {
      return await Promise.race([answered, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
