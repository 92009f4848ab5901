/**
 * The PostgreSQL peer, from the parent's side: installs bench/peers/emmett-postgresql's own dependencies
 * when they are missing (npm ci in that folder only; Emmett 0.42 cannot live in the root beside the
 * 0.38.5 that emmett-sqlite needs), then runs its peer.ts as a child process on the same rows.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Child } from './lib/ipc';
import type { PeerAppends, PeerOptions } from './peer-emmett';
import type { LatencySummary } from './lib/stats';

/** What the PostgreSQL peer's process answers: the figures, or why there are none. */
export type PostgresPeerResult =
  | {
      readonly available: true;
      readonly version: string;
      readonly server: string;
      readonly synchronousCommit: string;
      /** Connections in the store's pool (node-postgres' default, as getPostgreSQLEventStore makes it). */
      readonly poolSize: number;
      readonly load: { readonly events: number; readonly appends: number; readonly seconds: number; readonly concurrency: number };
      readonly appends: PeerAppends[];
      readonly history: LatencySummary;
      readonly state: LatencySummary;
    }
  | { readonly available: false; readonly reason: string };

const FOLDER = join(__dirname, 'peers', 'emmett-postgresql');

/** `npm ci` in the peer's folder when its node_modules lack the store; answers why it failed, if it did. */
function ensureInstalled(log: (line: string) => void): string | undefined {
  if (existsSync(join(FOLDER, 'node_modules', '@event-driven-io', 'emmett-postgresql', 'package.json'))) return undefined;
  log('emmett-postgresql: installing the peer folder\'s dependencies (npm ci in bench/peers/emmett-postgresql)');
  try {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: FOLDER,
      env: { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir || '/usr' },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 300_000,
    });
    return undefined;
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim().split('\n').slice(-2).join(' ');
    return `npm ci in bench/peers/emmett-postgresql failed: ${stderr || (error as Error).message.split('\n')[0]}`;
  }
}

export async function runPostgresPeer(options: PeerOptions, log: (line: string) => void): Promise<PostgresPeerResult> {
  const installError = ensureInstalled(log);
  if (installError) return { available: false, reason: installError };
  const child = new Child(join(FOLDER, 'peer.ts'), [], {});
  try {
    await child.ready;
    return await child.call<PostgresPeerResult>('run', options);
  } catch (error) {
    return { available: false, reason: `the PostgreSQL peer process failed: ${(error as Error).message.split('\n')[0]}` };
  } finally {
    await child.exit(30_000);
  }
}
