/** HTTP load with autocannon (programmatic API) against the API on 127.0.0.1. */
import autocannon from 'autocannon';
import { type LatencySummary, Samples, wallMs } from './lib/stats';
import { type LiveCommand, type LiveCommands } from './workload';

export interface HttpRun {
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  /** 2xx answers per second. */
  readonly rate: number;
  readonly latency: LatencySummary;
  readonly statuses: Record<string, number>;
  readonly errors: number;
  readonly timeouts: number;
  readonly targetRate?: number;
}

type RawRequest = { method?: string; path?: string; headers?: Record<string, string>; body?: string };

/** The bearer credential every request carries (the API key the engine host created). */
let authorization: Record<string, string> = {};

/** Sets the API key the load uses from now on. */
export function useApiKey(key: string): void {
  authorization = { authorization: `Bearer ${key}` };
}

function commandRequest(command: LiveCommand, stamp: boolean): RawRequest {
  const headers = { 'content-type': 'application/json', 'x-actor': 'bench', ...authorization };
  if (command.kind === 'capture') {
    const fields = stamp ? { ...command.fields, attributes: { ...(command.fields.attributes ?? {}), benchSentAt: wallMs() } } : command.fields;
    return { method: 'POST', path: '/v1/leads', headers, body: JSON.stringify(fields) };
  }
  const properties = stamp ? { ...(command.properties ?? {}), benchSentAt: wallMs() } : command.properties;
  return {
    method: 'POST',
    path: `/v1/leads/${command.leadId}/activities`,
    headers,
    body: JSON.stringify({ type: command.type, ...(properties ? { properties } : {}) }),
  };
}

async function run(options: autocannon.Options): Promise<HttpRun> {
  const latency = new Samples();
  const statuses: Record<string, number> = {};
  // The callback form returns the running instance, whose responses are counted as they come.
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error: Error | null, done: autocannon.Result) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (statusCode < 300) latency.add(responseTime);
    });
  });
  const ok = Object.entries(statuses)
    .filter(([code]) => Number(code) < 300)
    .reduce((n, [, count]) => n + count, 0);
  const seconds = result.duration;
  return {
    connections: result.connections,
    seconds,
    requests: Object.values(statuses).reduce((a, b) => a + b, 0),
    rate: ok / seconds,
    latency: latency.summary(),
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** The live command mix over HTTP; `overallRate` caps the request rate, else it goes as fast as it can. */
export function commandLoad(
  url: string,
  source: LiveCommands,
  options: { connections: number; durationS: number; overallRate?: number; stamp?: boolean; kind?: 'capture' | 'activity' },
): Promise<HttpRun> {
  return run({
    url,
    connections: options.connections,
    duration: options.durationS,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: [{ setupRequest: ((req: RawRequest) => ({ ...req, ...commandRequest(source.next(options.kind), !!options.stamp) })) as never }],
  }).then((r) => (options.overallRate ? { ...r, targetRate: options.overallRate } : r));
}

/** Sequential GETs (one connection) over `paths`, `amount` requests in all. */
export function readLoad(url: string, paths: readonly string[], amount: number): Promise<HttpRun> {
  let i = 0;
  return run({
    url,
    connections: 1,
    amount,
    headers: authorization,
    requests: [{ setupRequest: ((req: RawRequest) => ({ ...req, method: 'GET', path: paths[i++ % paths.length] })) as never }],
  });
}
