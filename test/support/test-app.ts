import { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { EventStore } from '@lead-lifecycle/event-store';
import { EngineConfig, EVENT_STORE, LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';
import { KafkaConfig } from '@lead-lifecycle/kafka-relay';
import { ProjectionsConfig } from '@lead-lifecycle/projections';
import { createApp } from '../../apps/api/src/bootstrap';
import { HttpConfig } from '../../apps/api/src/config/http.config';

export interface TestApp {
  readonly app: INestApplication;
  readonly http: ReturnType<typeof request>;
  readonly store: EventStore;
  readonly dataDir: string;
  close(): Promise<void>;
}

/** Boots the real API on a fresh data folder (or the given one) with the embedded store, unless told otherwise. */
export async function startTestApp(
  options: { dataDir?: string; env?: Record<string, string>; module?: LeadLifecycleModuleOptions } = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lead-lifecycle-e2e-'));
  const env = { DATA_DIR: dataDir, SQLITE_DURABILITY: 'normal', ...options.env };
  const app = await createApp({
    lifecycle: { engine: EngineConfig.fromEnv(env), ...options.module },
    projections: ProjectionsConfig.fromEnv(env),
    kafka: KafkaConfig.fromEnv(env),
    http: HttpConfig.fromEnv(env),
    logger: false,
  });
  await app.init();
  return {
    app,
    http: request(app.getHttpServer()),
    store: app.get<EventStore>(EVENT_STORE),
    dataDir,
    close: () => app.close(),
  };
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
