import { type CallHandler, type ExecutionContext, type HttpException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { firstValueFrom, lastValueFrom, type Observable, of, Subject, throwError } from 'rxjs';
import { ManualClock } from '../../../../test/support/domain/manual-clock';
import { EngineConfig, type IdempotencyStore, SqliteIdempotencyStore } from '@lead-lifecycle/lifecycle';
import { setPrincipal } from '@lead-lifecycle/identity';
import { IdempotencyInterceptor } from './idempotency.interceptor';

interface FakeResponse {
  statusCode: number;
  headers: Record<string, string>;
  status(code: number): FakeResponse;
  setHeader(name: string, value: string): void;
}

function http(request: { method?: string; path?: string; body?: unknown; headers?: Record<string, string> }, statusCode = 201) {
  const req = { method: 'POST', path: '/v1/leads', body: {}, ...request, headers: { ...request.headers } };
  const res: FakeResponse = {
    statusCode,
    headers: {},
    status(code) {
      this.statusCode = code;
      return this;
    },
    setHeader(name, value) {
      this.headers[name.toLowerCase()] = value;
    },
  };
  // As the AuthGuard leaves it: the principal of an admin key of the tenant the test names.
  const tenantId = req.headers['x-tenant-id'] ?? 'default';
  setPrincipal(req, { tenantId, roles: ['admin'], actor: `apikey:${tenantId}-admin`, kind: 'api-key' });
  // Nest's own context of an HTTP call (type 'http'), over the request and response, for a route handler without metadata.
  const context: ExecutionContext = new ExecutionContextHost([req, res], null, function handlerOfTheRoute() {});
  return { context, req, res };
}

const handler = (observable: Observable<unknown>): CallHandler & { calls: number } => {
  const h = { calls: 0, handle: () => (h.calls++, observable) };
  return h;
};

/** The interceptor runs `intercept` inside Nest's async pipeline: a refusal arrives as a thrown HttpException. */
async function run(interceptor: IdempotencyInterceptor, context: ExecutionContext, next: CallHandler): Promise<unknown> {
  return lastValueFrom(interceptor.intercept(context, next));
}

function statusOf(work: () => unknown): number | undefined {
  try {
    work();
  } catch (error) {
    return (error as HttpException).getStatus();
  }
  return undefined;
}

describe('IdempotencyInterceptor', () => {
  let store: SqliteIdempotencyStore;
  let clock: ManualClock;
  let interceptor: IdempotencyInterceptor;
  beforeEach(() => {
    store = new SqliteIdempotencyStore(':memory:');
    clock = new ManualClock('2026-03-01T00:00:00.000Z');
    interceptor = new IdempotencyInterceptor(store, clock, Object.assign(new EngineConfig(), { IDEMPOTENCY_TTL_HOURS: 2 }));
  });
  afterEach(() => store.close());

  it('tells a duplicate that arrives while the first is running 409 IDEMPOTENCY_KEY_IN_FLIGHT, then replays once it answered', async () => {
    const headers = { 'idempotency-key': 'k-1' };
    const pending = new Subject<unknown>();
    const first = http({ headers });
    const answered = firstValueFrom(interceptor.intercept(first.context, handler(pending)));
    const duplicate = http({ headers });
    const next = handler(of({ never: true }));
    expect(statusOf(() => interceptor.intercept(duplicate.context, next))).toBe(409);
    expect(next.calls).toBe(0);
    pending.next({ leadId: 'L' });
    pending.complete();
    expect(await answered).toEqual({ leadId: 'L' });

    const retry = http({ headers }, 200);
    expect(await run(interceptor, retry.context, next)).toEqual({ leadId: 'L' });
    expect(next.calls).toBe(0);
    expect(retry.res.statusCode).toBe(201);
    expect(retry.res.headers['idempotent-replayed']).toBe('true');
  });

  it('records 2xx answers only, and frees the key of a request that failed', async () => {
    const headers = { 'idempotency-key': 'k-2' };
    const refused = http({ headers }, 409);
    expect(await run(interceptor, refused.context, handler(of({ statusCode: 409 })))).toEqual({ statusCode: 409 });
    const failing = http({ headers });
    await expect(run(interceptor, failing.context, handler(throwError(() => new Error('boom'))))).rejects.toThrow('boom');
    expect(store.find('default', 'k-2', clock.now())).toBeUndefined();
    const next = handler(of({ ok: true }));
    expect(await run(interceptor, http({ headers }).context, next)).toEqual({ ok: true });
    expect(next.calls).toBe(1);
  });

  it('leaves requests without a key, and other methods, alone', async () => {
    const next = handler(of('x'));
    await run(interceptor, http({}).context, next);
    await run(interceptor, http({ method: 'GET', headers: { 'idempotency-key': 'k-3' } }).context, next);
    await run(interceptor, http({ method: 'GET', headers: { 'idempotency-key': 'k-3' } }).context, next);
    expect(next.calls).toBe(3);
  });

  it('answers the request it ran even when its answer cannot be recorded', async () => {
    const failingSave: IdempotencyStore = {
      find: (tenantId, key, now) => store.find(tenantId, key, now),
      save: () => {
        throw new Error('disk full');
      },
      purgeExpired: (now) => store.purgeExpired(now),
      close: () => store.close(),
    };
    const unrecorded = new IdempotencyInterceptor(failingSave, clock, new EngineConfig());
    const next = handler(of({ ok: true }));
    expect(await run(unrecorded, http({ headers: { 'idempotency-key': 'k-4' } }).context, next)).toEqual({ ok: true });
    expect(store.find('default', 'k-4', clock.now())).toBeUndefined();
  });

  it('frees a key once its record expired', async () => {
    const headers = { 'idempotency-key': 'k-5' };
    await run(interceptor, http({ headers, body: { a: 1 } }).context, handler(of({ first: true })));
    clock.advance(2 * 3_600_000 - 1);
    expect(statusOf(() => interceptor.intercept(http({ headers, body: { a: 2 } }).context, handler(of({}))))).toBe(422);
    clock.advance(1);
    expect(await run(interceptor, http({ headers, body: { a: 2 } }).context, handler(of({ second: true })))).toEqual({ second: true });
  });
});
