/**
 * Gives a test an EventStoreDB to talk to, in this order:
 *  1. EVENTSTORE_CONNECTION_STRING from the environment (mode 'env'; stop() does nothing);
 *  2. a container started with testcontainers when a Docker engine answers a ping within ~2.5 s
 *     (image EVENTSTORE_IMAGE, default eventstore/eventstore:24.10, insecure single node, in-memory);
 *  3. unless realOnly, the in-process EventStoreDB protocol test server (NOT a database; see
 *     esdb-protocol-server.ts for what it reproduces).
 * With realOnly and neither 1 nor 2 available, the answer is { available: false, reason }.
 */
import { request } from 'node:http';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EsdbProtocolServer, type EsdbProtocolServerOptions } from './esdb-protocol-server';

export type EventStoreDbForTests =
  | {
      available: true;
      connectionString: string;
      mode: 'env' | 'testcontainers' | 'protocol-test-server';
      stop(): Promise<void>;
      /** The protocol test server, only in 'protocol-test-server' mode. */
      server?: EsdbProtocolServer;
      /** Why no real EventStoreDB is used, in 'protocol-test-server' mode. */
      reason?: string;
    }
  | { available: false; reason: string };

export interface ProvideEventStoreDbOptions {
  /** Never fall back to the protocol test server. */
  realOnly?: boolean;
  /** Options of the protocol test server when it is the one provided. */
  server?: EsdbProtocolServerOptions;
}

const PING_TIMEOUT_MS = 1500;
const PROBE_BUDGET_MS = 2500;

export async function provideEventStoreDb(options: ProvideEventStoreDbOptions = {}): Promise<EventStoreDbForTests> {
  const fromEnv = process.env.EVENTSTORE_CONNECTION_STRING?.trim();
  if (fromEnv) {
    return { available: true, connectionString: fromEnv, mode: 'env', stop: async () => undefined };
  }

  const docker = await findDockerEngine();
  let reason: string;
  if (docker.found) {
    try {
      return await startContainer(docker.endpoint);
    } catch (error) {
      reason = `a Docker engine answered at ${docker.endpoint} but the EventStoreDB container did not start: ${(error as Error).message}`;
    }
  } else {
    reason = `EVENTSTORE_CONNECTION_STRING is not set and no Docker engine answered (${docker.tried})`;
  }

  if (options.realOnly) return { available: false, reason };
  const server = await EsdbProtocolServer.start(options.server);
  return {
    available: true,
    connectionString: server.connectionString,
    mode: 'protocol-test-server',
    server,
    reason,
    stop: () => server.stop(),
  };
}

/** console.warn, loudly, when a suite is not running against a real EventStoreDB. */
export function warnIfNotRealEventStoreDb(db: EventStoreDbForTests, suite: string): void {
  if (!db.available) {
    console.warn(`\n*** ${suite}: NO EventStoreDB AVAILABLE, tests skipped: ${db.reason}\n`);
  } else if (db.mode === 'protocol-test-server') {
    console.warn(
      `\n*** ${suite}: NOT A REAL EventStoreDB. Running against the in-process EventStoreDB protocol test server ` +
        `(a test double of the gRPC protocol) because ${db.reason}. Set EVENTSTORE_CONNECTION_STRING or start Docker to test the real server.\n`,
    );
  }
}

// ---------------------------------------------------------------- Docker probe

type DockerEndpoint = { socketPath: string } | { host: string; port: number };

function candidateEndpoints(): DockerEndpoint[] {
  const out: DockerEndpoint[] = [];
  const dockerHost = process.env.DOCKER_HOST?.trim();
  if (dockerHost) {
    if (dockerHost.startsWith('unix://')) out.push({ socketPath: dockerHost.slice('unix://'.length) });
    else if (dockerHost.startsWith('tcp://') || dockerHost.startsWith('http://')) {
      const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
      out.push({ host: url.hostname, port: Number(url.port || 2375) });
    }
  }
  const home = homedir();
  const runtimeDir = process.env.XDG_RUNTIME_DIR;
  const sockets = [
    '/var/run/docker.sock',
    join(home, '.docker/run/docker.sock'),
    join(home, '.docker/desktop/docker.sock'),
    runtimeDir && join(runtimeDir, 'docker.sock'),
    runtimeDir && join(runtimeDir, 'podman/podman.sock'),
    join(home, '.colima/default/docker.sock'),
    join(home, '.rd/docker.sock'),
  ].filter((p): p is string => !!p && existsSync(p));
  for (const socketPath of sockets) out.push({ socketPath });
  return out;
}

function describeEndpoint(endpoint: DockerEndpoint): string {
  return 'socketPath' in endpoint ? `unix://${endpoint.socketPath}` : `tcp://${endpoint.host}:${endpoint.port}`;
}

function ping(endpoint: DockerEndpoint): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...endpoint, path: '/_ping', method: 'GET', timeout: PING_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function findDockerEngine(): Promise<{ found: true; endpoint: string } | { found: false; tried: string }> {
  const endpoints = candidateEndpoints();
  if (endpoints.length === 0) return { found: false, tried: 'no DOCKER_HOST and no Docker socket on this machine' };
  const budget = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), PROBE_BUDGET_MS).unref());
  const answered = await Promise.race([
    Promise.any(endpoints.map(async (e) => ((await ping(e)) ? e : Promise.reject(new Error('no answer'))))).catch(() => undefined),
    budget,
  ]);
  if (answered) return { found: true, endpoint: describeEndpoint(answered) };
  return { found: false, tried: `no answer from ${endpoints.map(describeEndpoint).join(', ')}` };
}

// ---------------------------------------------------------------- testcontainers

async function startContainer(endpoint: string): Promise<EventStoreDbForTests> {
  if (!process.env.DOCKER_HOST && endpoint !== 'unix:///var/run/docker.sock') process.env.DOCKER_HOST = endpoint;
  const { GenericContainer, Wait } = await import('testcontainers');
  const image = process.env.EVENTSTORE_IMAGE?.trim() || 'eventstore/eventstore:24.10';
  const settings = { INSECURE: 'true', CLUSTER_SIZE: '1', RUN_PROJECTIONS: 'None', MEM_DB: 'true', ENABLE_ATOM_PUB_OVER_HTTP: 'true' };
  const prefix = /kurrent/i.test(image) ? 'KURRENTDB_' : 'EVENTSTORE_';
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings)) environment[`${prefix}${key}`] = value;
  const container = await new GenericContainer(image)
    .withEnvironment(environment)
    .withExposedPorts(2113)
    .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCode(204))
    .withStartupTimeout(120_000)
    .start();
  return {
    available: true,
    connectionString: `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`,
    mode: 'testcontainers',
    stop: async () => {
      await container.stop();
    },
  };
}
