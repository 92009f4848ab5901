import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeaseConfig, PostgresConfig } from '@lead-lifecycle/eventing';
import { freshDatabase, type FreshDatabase } from './fresh-database';

/** The fleet settings of one instance of a test fleet: a short TTL, so a takeover takes well under a second. */
export function fleetSettings(databaseUrl: string, instanceId: string): { postgres: PostgresConfig; lease: LeaseConfig } {
  return {
    postgres: PostgresConfig.fromEnv({ DATABASE_URL: databaseUrl }),
    lease: LeaseConfig.fromEnv({ LEASE_TTL_MS: '600', INSTANCE_ID: instanceId }),
  };
}

/** A fresh database for the suite, a data folder per instance, and every one removed after the suite. */
export class FleetFixture {
  db!: FreshDatabase;
  private readonly dirs: string[] = [];

  async setUp(): Promise<void> {
    this.db = await freshDatabase();
  }

  async tearDown(): Promise<void> {
    await this.db?.drop();
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }

  dataDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  /** Boots `module` as an application context without logs, as main.ts would. */
  async boot(module: DynamicModule): Promise<INestApplicationContext> {
    const app = await NestFactory.createApplicationContext(module, { logger: false });
    await app.init();
    return app;
  }
}

/** Polls `predicate` every 20 ms; fails naming `what` after `timeoutMs`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
