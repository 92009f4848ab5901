import {
  SetMetadata,
  BadRequestException,
  CallHandler,
  ConflictException,
  ExecutionContext,
  Inject,
  Injectable,
  Logger,
  NestInterceptor,
  UnprocessableEntityException,
} from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { finalize, Observable, of, tap } from 'rxjs';
import { Clock } from '@lead-lifecycle/domain';
import { canonicalJson } from '@lead-lifecycle/eventing';
import { CLOCK, deterministicUuid, ENGINE_CONFIG, EngineConfig, IDEMPOTENCY_STORE } from '@lead-lifecycle/lifecycle';
import type { IdempotencyStore } from '@lead-lifecycle/lifecycle';
import { HttpErrorCode } from './api-error-code';
import { requestPath } from './request-path';
import { principalOf } from '@lead-lifecycle/identity';

/** The request header that names one logical request across its retries. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Set on an answer that was recorded earlier and is sent again instead of running the request again. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** Printable ASCII, 1 to 200 characters. */
const KEY = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;
const PURGE_EVERY_MS = 10 * 60_000;

/** What the interceptor hands on to the handler of a request with a key (see IdempotencySeed). */
export interface IdempotentRequest {
  readonly tenantId: string;
  readonly key: string;
  readonly fingerprint: string;
  /** Same for every attempt of the same request (tenant, key, fingerprint): the seed of the ids it creates. */
  readonly seed: string;
}

export const IDEMPOTENT_REQUEST = Symbol('IDEMPOTENT_REQUEST');

const NOT_REPLAYED = 'lead-lifecycle:not-replayed';

/**
 * A POST whose answer must never be stored, so never replayed: the creation of an API key, whose answer
 * holds the secret that is kept only as a hash. Its Idempotency-Key is ignored.
 */
export const NotReplayed = (): MethodDecorator => SetMetadata(NOT_REPLAYED, true);

/**
 * `Idempotency-Key` on every POST. The first request with a key (per tenant) runs; its answer, when it
 * is a 2xx, is recorded against the key and a fingerprint of the request (method, path, canonical JSON
 * body). A retry with the same key and the same request gets that answer again (status and body, with
 * `Idempotent-Replayed: true`) and runs nothing; with another request, 422 IDEMPOTENCY_KEY_REUSED.
 * While the first is still running, a duplicate gets 409 IDEMPOTENCY_KEY_IN_FLIGHT (this process
 * only: the marker lives in memory). 4xx and 5xx answers are not recorded: a refused request wrote
 * nothing, so running it again is harmless and answers from the current state, and a failure may
 * succeed when retried. Records expire after IDEMPOTENCY_TTL_HOURS.
 *
 * The record is written once the answer is known, so a crash in between loses it and the retry runs
 * again; the ids a retried request creates (the lead of a capture, an opportunity) are derived from
 * the seed so that even then nothing is created twice.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');
  private readonly inFlight = new Set<string>();
  private readonly ttlMs: number;
  private lastPurge = 0;

  constructor(
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ENGINE_CONFIG) engine: EngineConfig,
  ) {
    this.ttlMs = engine.IDEMPOTENCY_TTL_HOURS * 3_600_000;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    if (request.method !== 'POST') return next.handle();
    if (Reflect.getMetadata(NOT_REPLAYED, context.getHandler())) return next.handle();
    const claimed = keyOf(request);
    if (claimed === undefined) return next.handle();
    const principal = principalOf(request);
    // Only a public route has no principal, and no public route writes: nothing to key.
    if (principal === undefined) return next.handle();
    const tenantId = principal.tenantId;
    // Keys are per credential: another caller of the tenant reusing a key neither replays nor blocks this one's answer.
    const key = `${principal.actor} ${claimed}`;

    const fingerprint = fingerprintOf(request);
    const scope = `${tenantId}\u0000${key}`;
    if (this.inFlight.has(scope)) {
      throw new ConflictException({
        statusCode: 409,
        error: 'CONFLICT',
        code: HttpErrorCode.IdempotencyKeyInFlight,
        message: `a request with this ${IDEMPOTENCY_KEY_HEADER} is still running; retry once it has answered`,
      });
    }
    const now = this.clock.now();
    this.purgeNowAndThen(now);
    const recorded = this.store.find(tenantId, key, now);
    if (recorded) {
      if (recorded.fingerprint !== fingerprint) {
        throw new UnprocessableEntityException({
          statusCode: 422,
          error: 'UNPROCESSABLE_ENTITY',
          code: HttpErrorCode.IdempotencyKeyReused,
          message: `this ${IDEMPOTENCY_KEY_HEADER} was used for another request (method, path or body); use a new key for a new request`,
        });
      }
      response.status(recorded.status);
      response.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
      return of(recorded.body === null ? undefined : JSON.parse(recorded.body));
    }

    this.inFlight.add(scope);
    const idempotent: IdempotentRequest = { tenantId, key, fingerprint, seed: deterministicUuid('idempotency-key', tenantId, key, fingerprint) };
    (request as Request & { [IDEMPOTENT_REQUEST]?: IdempotentRequest })[IDEMPOTENT_REQUEST] = idempotent;
    return next.handle().pipe(
      tap((body) => this.record(idempotent, response.statusCode, body)),
      finalize(() => this.inFlight.delete(scope)),
    );
  }

  /** Keeps a 2xx answer; a failure to keep it is logged, never turned into an error of a request that succeeded. */
  private record(request: IdempotentRequest, status: number, body: unknown): void {
    if (status < 200 || status >= 300) return;
    const recordedAt = this.clock.now();
    try {
      this.store.save({
        tenantId: request.tenantId,
        key: request.key,
        fingerprint: request.fingerprint,
        status,
        body: body === undefined ? null : JSON.stringify(body),
        recordedAt,
        expiresAt: new Date(recordedAt.getTime() + this.ttlMs),
      });
    } catch (error) {
      this.logger.error(`could not record the answer of ${IDEMPOTENCY_KEY_HEADER} ${request.key}: ${(error as Error)?.message ?? error}`);
    }
  }

  private purgeNowAndThen(now: Date): void {
    if (now.getTime() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now.getTime();
    try {
      this.store.purgeExpired(now);
    } catch (error) {
      this.logger.warn(`could not purge expired idempotency keys: ${(error as Error)?.message ?? error}`);
    }
  }
}

/** The request's key; undefined without the header; 400 when it is not 1 to 200 printable ASCII characters. */
function keyOf(request: Request): string | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw.join(', ') : raw;
  if (KEY.test(key)) return key;
  throw new BadRequestException({
    statusCode: 400,
    error: 'BAD_REQUEST',
    code: HttpErrorCode.ValidationFailed,
    message: 'invalid headers',
    problems: [{ field: IDEMPOTENCY_KEY_HEADER, reason: 'printable ASCII text, 1 to 200 characters' }],
  });
}

/** The same request gives the same fingerprint, whatever the order of its body's keys. */
function fingerprintOf(request: Request): string {
  let body: string;
  try {
    body = canonicalJson(request.body ?? null) ?? 'null';
  } catch {
    throw new BadRequestException({
      statusCode: 400,
      error: 'BAD_REQUEST',
      code: HttpErrorCode.ValidationFailed,
      message: 'the request is invalid',
      problems: [{ field: 'body', reason: 'cannot be read as JSON' }],
    });
  }
  return createHash('sha256').update(`${request.method}\n${requestPath(request)}\n${body}`).digest('hex');
}
