/**
 * Express against Fastify under the same app (issue 13, "a faster HTTP edge").
 *
 *   npx ts-node -r tsconfig-paths/register --transpile-only bench/http-adapters.ts [--seconds 6] [--rounds 2] [--connections 32]
 *
 * For each SQLITE_DURABILITY (normal, full) it boots the real API (createApp, embedded store, a fresh
 * temp DATA_DIR each) once per HTTP_ADAPTER, each in a child process of its own, and authenticates with
 * an `admin` key made as the e2e tests make it. Then, round after round, it drives the same load against
 * one adapter and then the other (A B A B, so that the machine's load falls on both alike):
 * - `GET /health` (public, the cheapest route),
 * - `GET /v1/leads/:id` (a lead read: guard, pipe, query bus),
 * - the command mix: 20 % captures, 80 % activities on the seeded leads (POST, JSON body, idempotency
 *   and consistency-token interceptors, an append each).
 * Between runs it waits until the live projections of the server just loaded have caught up, so that
 * their work does not fall on the next run. Prints requests/s (2xx), the server's CPU time per answer
 * (what a request costs, whatever share of a busy machine the server got) and p50/p99 per adapter, and the ratio.
 * Nothing is asserted.
 */
import autocannon from 'autocannon';
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Adapter = 'express' | 'fastify';
type Durability = 'normal' | 'full';
const ADAPTERS: readonly Adapter[] = ['express', 'fastify'];

/** What a server child reports once it listens. */
interface Ready {
  readonly port: number;
  readonly key: string;
}

// ---------------------------------------------------------------- the server child

async function serve(adapter: Adapter, durability: Durability, dataDir: string): Promise<void> {
  // Loaded here so that the parent (the load generator) does not load Nest at all.
  const { EngineConfig } = await import('@lead-lifecycle/lifecycle');
  const { ProjectionsConfig } = await import('@lead-lifecycle/projections');
  const { KafkaConfig } = await import('@lead-lifecycle/kafka-relay');
  const { API_KEY_STORE, AuthConfig } = await import('@lead-lifecycle/identity');
  const { createApp } = await import('../apps/api/src/bootstrap');
  const { HttpConfig } = await import('../apps/api/src/config/http.config');
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    SQLITE_DURABILITY: durability,
    HTTP_ADAPTER: adapter,
    ADMIN_API_KEY: `bench-platform-key-${randomUUID()}`,
    RATE_LIMIT_PER_MINUTE: '1000000',
  };
  const app = await createApp({
    lifecycle: { engine: EngineConfig.fromEnv(env) },
    projections: ProjectionsConfig.fromEnv(env),
    kafka: KafkaConfig.fromEnv(env),
    http: HttpConfig.fromEnv(env),
    auth: AuthConfig.fromEnv(env),
    logger: false,
  });
  await app.init();
  // As test/support/test-app.ts: an admin key of the default tenant, straight from the key store.
  const keys = app.get<{ create(input: { tenantId: string; roles: string[]; name: string }, now: Date): Promise<{ key: string }> }>(API_KEY_STORE);
  const { key } = await keys.create({ tenantId: 'default', roles: ['admin'], name: `bench ${adapter}` }, new Date());
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  if (app.getHttpAdapter().getType() !== adapter) throw new Error(`asked for ${adapter}, runs on ${app.getHttpAdapter().getType()}`);
  process.send!({ port: address.port, key } satisfies Ready);
  process.on('message', (message) => {
    if (message === 'stop') void app.close().then(() => process.exit(0));
    // The server's own CPU time, so that the cost per request can be told apart from the share of a busy machine.
    if (message === 'cpu') {
      const used = process.cpuUsage();
      process.send!({ cpuMicros: used.user + used.system });
    }
  });
}

// ---------------------------------------------------------------- the load generator

interface Server {
  readonly adapter: Adapter;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly child: ChildProcess;
  readonly dataDir: string;
  leads: string[];
}

interface Run {
  readonly rate: number;
  /** Server CPU time per 2xx answer, in ms (user + system of the server process). */
  readonly cpuMs: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
}

type Scenario = 'GET /health' | 'GET /v1/leads/:id' | 'command mix';
const SCENARIOS: readonly Scenario[] = ['GET /health', 'GET /v1/leads/:id', 'command mix'];

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

async function start(adapter: Adapter, durability: Durability): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), `bench-http-${adapter}-`));
  const child = fork(__filename, ['--serve', adapter, durability, dataDir], {
    execArgv: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`${adapter} server exited with ${code}`)));
  });
  return { adapter, url: `http://127.0.0.1:${ready.port}`, headers: { authorization: `Bearer ${ready.key}` }, child, dataDir, leads: [] };
}

async function stop(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.send('stop');
  await exited;
  rmSync(server.dataDir, { recursive: true, force: true });
}

const json = { 'content-type': 'application/json' };
const capture = () => JSON.stringify({ contact: { email: `${randomUUID()}@bench.test` }, source: { channel: 'seo', campaign: 'bench' } });
const activity = () => JSON.stringify({ type: 'page_view', properties: { page: '/pricing' } });

async function seed(server: Server, leads: number): Promise<void> {
  for (let i = 0; i < leads; i++) {
    const res = await fetch(`${server.url}/v1/leads`, { method: 'POST', headers: { ...server.headers, ...json }, body: capture() });
    if (res.status !== 201) throw new Error(`seeding ${server.adapter}: ${res.status} ${await res.text()}`);
    server.leads.push(((await res.json()) as { leadId: string }).leadId);
  }
}

/** Waits until every processor has handled the head, so that the next run does not pay for this one's projections. */
async function settle(server: Server): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const health = (await (await fetch(`${server.url}/health`, { headers: server.headers })).json()) as { headPosition?: string };
    const status = (await (await fetch(`${server.url}/v1/projections`, { headers: server.headers })).json()) as { processors: Array<{ position: string | null }> };
    if (status.processors.every((p) => p.position === health.headPosition)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function requestFor(server: Server, scenario: Scenario): () => { method: string; path: string; headers: Record<string, string>; body?: string } {
  const pick = () => server.leads[Math.floor(Math.random() * server.leads.length)];
  switch (scenario) {
    case 'GET /health':
      return () => ({ method: 'GET', path: '/health', headers: {} });
    case 'GET /v1/leads/:id':
      return () => ({ method: 'GET', path: `/v1/leads/${pick()}`, headers: server.headers });
    case 'command mix':
      return () =>
        Math.random() < 0.2
          ? { method: 'POST', path: '/v1/leads', headers: { ...server.headers, ...json }, body: capture() }
          : { method: 'POST', path: `/v1/leads/${pick()}/activities`, headers: { ...server.headers, ...json }, body: activity() };
  }
}

function serverCpu(server: Server): Promise<number> {
  return new Promise((resolve) => {
    const listener = (m: unknown) => {
      if (typeof m === 'object' && m !== null && 'cpuMicros' in m) {
        server.child.off('message', listener);
        resolve((m as { cpuMicros: number }).cpuMicros);
      }
    };
    server.child.on('message', listener);
    server.child.send('cpu');
  });
}

async function load(server: Server, scenario: Scenario, seconds: number, connections: number): Promise<Run> {
  const next = requestFor(server, scenario);
  const cpuBefore = await serverCpu(server);
  const result = await autocannon({
    url: server.url,
    connections,
    duration: seconds,
    requests: [{ setupRequest: ((req: object) => ({ ...req, ...next() })) as never }],
  });
  const cpuMs = (await serverCpu(server)) - cpuBefore;
  return { rate: result['2xx'] / result.duration, cpuMs: cpuMs / 1000 / Math.max(1, result['2xx']), p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx + result.errors + result.timeouts };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main(): Promise<void> {
  const seconds = option('seconds', 6);
  const rounds = option('rounds', 2);
  const connections = option('connections', 32);
  const lines = [
    `HTTP adapters, ${rounds} rounds (A B A B) of ${seconds} s per scenario, ${connections} connections, autocannon in a process of its own; medians of the rounds`,
    '',
    '| durability | scenario | express req/s | fastify req/s | fastify / express | server CPU ms/req express / fastify | express p50 / p99 ms | fastify p50 / p99 ms | non-2xx |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const durability of ['normal', 'full'] as const) {
    const servers: Server[] = [];
    for (const adapter of ADAPTERS) servers.push(await start(adapter, durability));
    try {
      for (const server of servers) await seed(server, 200);
      const runs = new Map<string, Run[]>();
      for (let round = 0; round < rounds; round++) {
        for (const scenario of SCENARIOS) {
          // Alternate which adapter goes first, so neither always runs on the warmer machine.
          const order = round % 2 ? [...servers].reverse() : servers;
          for (const server of order) {
            await settle(server);
            // A short warm-up on the scenario (JIT, statement caches), not counted.
            await load(server, scenario, 1, connections);
            await settle(server);
            const run = await load(server, scenario, seconds, connections);
            const key = `${scenario}|${server.adapter}`;
            runs.set(key, [...(runs.get(key) ?? []), run]);
            console.error(`${durability} round ${round + 1} ${scenario} ${server.adapter}: ${run.rate.toFixed(0)} req/s, ${run.cpuMs.toFixed(2)} ms CPU/req, p50 ${run.p50} ms, p99 ${run.p99} ms, non-2xx ${run.non2xx}`);
          }
        }
      }
      for (const scenario of SCENARIOS) {
        const of = (adapter: Adapter) => runs.get(`${scenario}|${adapter}`)!;
        const summary = (adapter: Adapter) => ({
          rate: median(of(adapter).map((r) => r.rate)),
          cpuMs: median(of(adapter).map((r) => r.cpuMs)),
          p50: median(of(adapter).map((r) => r.p50)),
          p99: median(of(adapter).map((r) => r.p99)),
          non2xx: of(adapter).reduce((n, r) => n + r.non2xx, 0),
        });
        const e = summary('express');
        const f = summary('fastify');
        lines.push(
          `| ${durability} | ${scenario} | ${e.rate.toFixed(0)} | ${f.rate.toFixed(0)} | ${(f.rate / e.rate).toFixed(2)} | ${e.cpuMs.toFixed(2)} / ${f.cpuMs.toFixed(2)} | ${e.p50} / ${e.p99} | ${f.p50} / ${f.p99} | ${e.non2xx} / ${f.non2xx} |`,
        );
      }
    } finally {
      for (const server of servers) await stop(server);
    }
  }
  console.log(lines.join('\n'));
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3] as Adapter, process.argv[4] as Durability, process.argv[5]).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
