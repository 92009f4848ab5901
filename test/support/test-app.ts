import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { type GlobalPosition, positionFromString, positionToString, type EventStore } from '@lead-lifecycle/eventing';
import { CONSISTENCY_TOKENS, type ConsistencyTokens } from '../../apps/api/src/http/consistency-token';
import { EngineConfig, type LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';
import { EVENT_STORE, PostgresConfig } from '@lead-lifecycle/eventing';
import { KafkaConfig } from '@lead-lifecycle/kafka-relay';
import { ProjectionsConfig } from '@lead-lifecycle/projections';
import { API_KEY_STORE, type ApiKeyStore, AuthConfig, isTenantId, type NewApiKey } from '@lead-lifecycle/identity';
import { createApp } from '../../apps/api/src/bootstrap';
import { HttpConfig } from '../../apps/api/src/config/http.config';

/** The platform key of every test app (ADMIN_API_KEY), unless a test sets its own. */
export const TEST_PLATFORM_KEY = 'e2e-platform-key-0123456789abcdef0123456789';

type Agent = ReturnType<typeof request>;

export interface TestApp {
  readonly app: INestApplication;
  /**
   * supertest on the app, authenticated: a request without Authorization gets an `admin` key of the
   * tenant its X-Tenant-Id names ("default" without one), created on first use. So tests written before
   * identity keep their meaning; a test about credentials sets Authorization itself or uses `anonymous`.
   */
  readonly http: Agent;
  /** supertest on the app, adding nothing. */
  readonly anonymous: Agent;
  readonly store: EventStore;
  readonly keys: ApiKeyStore;
  readonly dataDir: string;
  /** The bearer token of an `admin` key of the tenant (the one `http` uses). */
  adminKey(tenantId?: string): Promise<string>;
  /** The consistency token a command of `tenantId` would answer for `position` (for `minPosition`). */
  token(tenantId: string, position: GlobalPosition | string): string;
  /** The position a command's token stands for, as text. */
  positionOf(tenantId: string, token: string): string;
  /** A new key (its bearer token and id). */
  createKey(input: NewApiKey): Promise<{ key: string; keyId: string }>;
  close(): Promise<void>;
}

/** Boots the real API on a fresh data folder (or the given one) with the embedded store, unless told otherwise. */
export async function startTestApp(
  options: { dataDir?: string; env?: Record<string, string>; module?: LeadLifecycleModuleOptions } = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lead-lifecycle-e2e-'));
  // PROCESSORS_IN=main unless a test asks for the worker: jest's transform does not reach a worker thread,
  // which compiles its module graph with ts-node on every start (10-15 s on a loaded 2-core machine, more
  // than jest's hook timeout). test/e2e/processor-worker.e2e-spec.ts runs the API with the worker.
  const env = {
    DATA_DIR: dataDir,
    SQLITE_DURABILITY: 'normal',
    ADMIN_API_KEY: TEST_PLATFORM_KEY,
    RATE_LIMIT_PER_MINUTE: '1000000',
    // HTTP_ADAPTER=fastify runs the suites on the Fastify server.
    ...(process.env.HTTP_ADAPTER ? { HTTP_ADAPTER: process.env.HTTP_ADAPTER } : {}),
    PROCESSORS_IN: 'main',
    ...options.env,
  };
  const app = await createApp({
    // Only the test's own settings: a DATABASE_URL in the shell does not move every suite to PostgreSQL.
    lifecycle: { engine: EngineConfig.fromEnv(env), postgres: PostgresConfig.fromEnv(env), ...options.module },
    projections: ProjectionsConfig.fromEnv(env),
    kafka: KafkaConfig.fromEnv(env),
    http: HttpConfig.fromEnv(env),
    auth: AuthConfig.fromEnv(env),
    logger: false,
  });
  await app.init();
  // Fastify serves requests to its server (supertest's, without listen) only once it is ready.
  if (app.getHttpAdapter().getType() === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  const keys = app.get<ApiKeyStore>(API_KEY_STORE);
  const tokens = app.get<ConsistencyTokens>(CONSISTENCY_TOKENS);
  // Per data folder, so that an app restarted on the same folder is called with the same keys (they are stored there).
  const admins = adminKeysOf(dataDir);
  const createKey = async (input: NewApiKey) => {
    const created = await keys.create(input, new Date());
    return { key: created.key, keyId: created.keyId };
  };
  const adminKey = (tenantId = 'default') => {
    let key = admins.get(tenantId);
    if (!key) {
      // The promise is kept, so requests sent together share one key.
      key = createKey({ tenantId, roles: ['admin'], name: `e2e admin of ${tenantId}` }).then((created) => created.key);
      admins.set(tenantId, key);
      key.catch(() => admins.delete(tenantId));
    }
    return key;
  };
  const anonymous = request(app.getHttpServer());
  return {
    app,
    http: authenticating(anonymous, adminKey),
    anonymous,
    store: app.get<EventStore>(EVENT_STORE),
    keys,
    dataDir,
    adminKey,
    createKey,
    token: (tenantId, position) => tokens.issue(tenantId, typeof position === 'string' ? positionFromString(position) : position),
    positionOf: (tenantId, token) => positionToString(tokens.read(tenantId, token)),
    close: () => app.close(),
  };
}

const ADMIN_KEYS = new Map<string, Map<string, Promise<string>>>();

function adminKeysOf(dataDir: string): Map<string, Promise<string>> {
  let keys = ADMIN_KEYS.get(dataDir);
  if (!keys) ADMIN_KEYS.set(dataDir, (keys = new Map()));
  return keys;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options'] as const;

/**
 * Wraps supertest so that a request sent without Authorization carries the admin key of the tenant its
 * X-Tenant-Id names (default "default"). An X-Tenant-Id that is no valid tenant id gets the default
 * tenant's key, so the app sees the header and refuses it (403 TENANT_MISMATCH).
 */
function authenticating(agent: Agent, adminKey: (tenantId?: string) => Promise<string>): Agent {
  return new Proxy(agent, {
    get(target, property, receiver) {
      const original = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== 'string' || !(METHODS as readonly string[]).includes(property) || typeof original !== 'function') return original;
      return (url: string) => {
        const test = (original as (url: string) => request.Test).call(target, url);
        const end = test.end.bind(test);
        test.end = (callback?: Parameters<request.Test['end']>[0]) => {
          const headers = Reflect.get(test, '_header') as Record<string, string | undefined>; // supertest's own record of the headers set
          if (headers.authorization !== undefined) return end(callback);
          const tenant = headers['x-tenant-id'];
          // The key store answers asynchronously: the request is sent once the key is set.
          adminKey(tenant !== undefined && isTenantId(tenant) ? tenant : 'default').then(
            (key) => {
              test.set('Authorization', `Bearer ${key}`);
              end(callback);
            },
            (error: Error) => callback?.(error, undefined as never),
          );
          return test;
        };
        return test;
      };
    },
  });
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Polls `probe` until it returns true or the time is up. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
