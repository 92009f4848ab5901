/**
 * npm run bench -- [--size small|100k|1m] [--seed TEXT] [--keep] [--dir PATH] [--no-kafka] [--no-peer] [--cpu-prof]
 *
 * Generates a seeded, realistic lead funnel, loads it into a fresh data folder through the engine's own
 * store, then measures the engine next to its LIMIT (raw better-sqlite3 on the same rows, same
 * durability) and a PEER (Emmett's SQLite event store, same rows), and prints one markdown table.
 * Results are also written to bench/results/ (last-small-run.md, last-full-run.md for 1m, ...).
 * Progress goes to stderr; the report to stdout. Nothing is asserted: targets are printed, not enforced.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { LeadIdentityRegistry } from '@lead-lifecycle/lifecycle';
import { commandLoad, type HttpRun, readLoad, useApiKey } from './http-load';
import { type Broker, createTopic, LatencyConsumer, producerLimit, startBroker } from './kafka';
import { Child, REPO_ROOT } from './lib/ipc';
import { Rng } from './lib/rng';
import { type LatencySummary, nowMs } from './lib/stats';
import { type LimitResult, runLimit } from './limit';
import { type PeerResult, runPeer } from './peer-emmett';
import { type PostgresPeerResult, runPostgresPeer } from './peer-emmett-postgresql';
import { formatSummary, PhaseProfiler, type ProfileSummary } from './lib/profile';
import type { StoreSnapshot } from './lib/store-snapshot';
import { renderReport } from './report';
import { seedEngine, type SeedResult } from './seed';
import { LiveCommands, toLivePool, Workload, type WorkloadStats } from './workload';

export interface Profile {
  readonly name: string;
  readonly events: number;
  readonly segmentMs: number;
  readonly tailShare: number;
  readonly tailMax: number;
  readonly inprocMs: number;
  readonly warmup: number;
  readonly httpS: number;
  readonly sampleLeads: number;
  readonly readRepeats: number;
  readonly relayLimitMax: number;
  readonly latencyS: number;
}

const PROFILES: Record<string, Profile> = {
  small: { name: 'small', events: 25_000, segmentMs: 400, tailShare: 0.4, tailMax: 10_000, inprocMs: 1_500, warmup: 100, httpS: 2, sampleLeads: 150, readRepeats: 2, relayLimitMax: 100_000, latencyS: 2 },
  '100k': { name: '100k', events: 100_000, segmentMs: 1_500, tailShare: 0.4, tailMax: 40_000, inprocMs: 5_000, warmup: 300, httpS: 6, sampleLeads: 400, readRepeats: 2, relayLimitMax: 100_000, latencyS: 6 },
  '1m': { name: '1m', events: 1_000_000, segmentMs: 3_000, tailShare: 0.3, tailMax: 300_000, inprocMs: 10_000, warmup: 500, httpS: 10, sampleLeads: 1000, readRepeats: 2, relayLimitMax: 200_000, latencyS: 10 },
};

interface Args {
  size: string;
  seed: string;
  keep: boolean;
  dir?: string;
  kafka: boolean;
  peer: boolean;
  cpuProf: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { size: 'small', seed: 'lead-lifecycle-bench', keep: false, kafka: true, peer: true, cpuProf: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a.startsWith('--size')) args.size = value();
    else if (a.startsWith('--seed')) args.seed = value();
    else if (a.startsWith('--dir')) args.dir = value();
    else if (a === '--keep') args.keep = true;
    else if (a === '--no-kafka') args.kafka = false;
    else if (a === '--no-peer') args.peer = false;
    else if (a === '--cpu-prof') args.cpuProf = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!PROFILES[args.size]) throw new Error(`--size must be one of ${Object.keys(PROFILES).join(', ')}`);
  return args;
}

export interface InprocRun {
  callers: number;
  pick: 'weighted' | 'uniform';
  seconds: number;
  completed: number;
  latency: LatencySummary;
  capture: LatencySummary;
  activity: LatencySummary;
  errors: Record<string, number>;
  store: StoreSnapshot;
  eventLoopUtilization: number;
}

export interface ReadsRun {
  history: LatencySummary;
  state: LatencySummary;
  eventsPerHistory: number;
  largest: { leadId: string; events: number; ms: number };
}

export interface RebuildRun {
  head: string;
  reports: Array<{ projection: string; events: number; position: string; seconds: number; eventsPerSecond: number }>;
  /** rebuildProjections of all three from one read of the log: wall time, readAll calls, events applied. */
  allInOnePass?: { seconds: number; reads: number; events: number };
  peakRss: number;
}

export interface KafkaRun {
  broker: { available: true; mode: string } | { available: false; reason: string };
  limit?: { messages: number; seconds: number };
  relay?: { messages: number; seconds: number; total: number; state: string; lastError?: string };
  latency?: { rate: number; peak: HttpRun; load: HttpRun; all: LatencySummary; captures: LatencySummary; received: number; complete: boolean };
  error?: string;
  peakRss?: number;
}

export interface Results {
  profile: Profile;
  args: Args;
  machine: Record<string, string>;
  workload: WorkloadStats;
  seed: SeedResult;
  limit?: LimitResult | { error: string };
  peer?: PeerResult;
  peerPostgres?: PostgresPeerResult;
  rebuild?: RebuildRun | { error: string };
  api?: {
    bootMs: number;
    reads: ReadsRun;
    httpHistory: HttpRun;
    httpState: HttpRun;
    inproc: InprocRun[];
    httpPeak: HttpRun & { events: number };
    httpFixed: HttpRun;
    peakRss: number;
    processors: Array<{ name: string; state: string; lastError?: string; stoppedReason?: string }>;
  };
  apiError?: string;
  kafka?: KafkaRun;
  phases: Record<string, number>;
  startedAt: string;
  /** 1-minute load average when the run started and ended (other work on the machine skews the figures). */
  load: { start: number; end?: number };
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function machineInfo(): Record<string, string> {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) ? ' (with uncommitted changes)' : '';
  return {
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
    cores: String(os.cpus().length),
    ram: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    commit: `${git(['rev-parse', '--short', 'HEAD']) || 'unknown'}${dirty}`,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const profile = PROFILES[args.size];
  const startedAt = new Date().toISOString();
  const phases: Record<string, number> = {};
  const phase = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const t0 = nowMs();
    log(`${name}…`);
    try {
      return await work();
    } finally {
      phases[name] = (nowMs() - t0) / 1000;
      log(`${name}: ${phases[name].toFixed(1)} s`);
    }
  };
  const workDir = args.dir ?? mkdtempSync(join(os.tmpdir(), `lead-lifecycle-bench-${profile.name}-`));
  mkdirSync(workDir, { recursive: true });
  const dataDir = join(workDir, 'engine');
  rmSync(dataDir, { recursive: true, force: true });
  const engineFile = join(dataDir, 'events.sqlite');
  const children: Child[] = [];
  const profDir = join(__dirname, 'results', 'profiles');
  const profEnv: Record<string, string> = args.cpuProf ? { BENCH_CPU_PROF_DIR: profDir } : {};
  const profiles: string[] = [];
  let broker: Broker | undefined;
  const cleanup = async () => {
    children.forEach((c) => c.kill());
    if (broker?.available) await broker.stop().catch(() => undefined);
    if (!args.keep) rmSync(workDir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

  let fatal: unknown;
  const results: Partial<Results> & { phases: Record<string, number>; load: Results['load'] } = {
    profile,
    args,
    machine: machineInfo(),
    phases,
    startedAt,
    load: { start: os.loadavg()[0] },
  };
  try {
    // 1. The workload, loaded through the engine's store.
    const registry = new LeadIdentityRegistry(null as never);
    const anchorMs = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    const workload = await Workload.create({
      targetEvents: profile.events,
      seed: args.seed,
      anchorMs,
      identityStreamId: (tenantId, identity) => registry.streamIdOf(tenantId, identity),
    });
    log(`workload: ${workload.leadCount} leads for about ${profile.events.toLocaleString('en-US')} events (seed "${args.seed}"), data in ${workDir}`);
    const seedProfiler = new PhaseProfiler(args.cpuProf ? profDir : undefined);
    await seedProfiler.start();
    results.seed = await phase('generate and load the history', () => seedEngine(dataDir, workload, log));
    profiles.push(formatSummary('seed (generator and engine store, parent process)', await seedProfiler.stop('seed')));
    results.workload = workload.finish();
    const n = results.seed.head;
    if (n !== results.workload.events) throw new Error(`the store holds ${n} events, the generator made ${results.workload.events}`);
    const livePool = toLivePool(workload.pool);
    const sampleRng = new Rng(`${args.seed}:sample`);
    const sampleLeads = Array.from({ length: Math.min(profile.sampleLeads, workload.pool.length) }, () => sampleRng.pick(workload.pool).leadId);
    const tailEvents = Math.min(profile.tailMax, Math.floor(n * profile.tailShare));

    // 2. The LIMIT: raw better-sqlite3 on the same rows.
    results.limit = await phase('limit (raw better-sqlite3)', () => {
      try {
        return runLimit(
          { engineFile, upTo: n, workDir, segmentMs: profile.segmentMs, tailEvents, sampleLeads, readRepeats: profile.readRepeats },
          log,
        );
      } catch (error) {
        return { error: (error as Error).message };
      }
    });

    // 3. The PEER: Emmett's SQLite event store on the same rows.
    results.peer = args.peer
      ? await phase('peer (Emmett SQLite)', () =>
          runPeer({ engineFile, upTo: n, workDir, segmentMs: profile.segmentMs, tailEvents, sampleLeads, readRepeats: profile.readRepeats }, log),
        )
      : { available: false, reason: 'skipped (--no-peer)' };
    results.peerPostgres = args.peer
      ? await phase('peer (Emmett PostgreSQL)', () =>
          runPostgresPeer({ engineFile, upTo: n, workDir, segmentMs: profile.segmentMs, tailEvents, sampleLeads, readRepeats: profile.readRepeats }, log),
        )
      : { available: false, reason: 'skipped (--no-peer)' };

    // 4. Projection rebuild, in its own process (as `npm run projections:rebuild`).
    results.rebuild = await phase('projection rebuild', async () => {
      const child = new Child(join(__dirname, 'engine-host.ts'), ['rebuild'], { DATA_DIR: dataDir, SQLITE_DURABILITY: 'full', ...profEnv });
      children.push(child);
      await child.ready;
      const result = await child.call<RebuildRun & { profiles?: ProfileSummary[] }>('run');
      for (const p of result.profiles ?? []) profiles.push(formatSummary('projection rebuild', p));
      await child.exit();
      return result;
    });

    // 5. The API: in-process commands and reads, then HTTP.
    const apiEnv = { DATA_DIR: dataDir, SQLITE_DURABILITY: 'full', KAFKA_BROKERS: '', ...profEnv };
    try {
      results.api = await phase('API (in-process and HTTP)', async () => {
        const api = new Child(join(__dirname, 'engine-host.ts'), ['api'], apiEnv);
        children.push(api);
        const ready = (await api.ready) as { port: number; bootMs: number; apiKey: string };
        useApiKey(ready.apiKey);
        const url = `http://127.0.0.1:${ready.port}`;
        await api.call('init', { pool: livePool });
        log('reads in process');
        const reads = await api.call<ReadsRun & { profile?: ProfileSummary }>('reads', { leadIds: sampleLeads, repeats: profile.readRepeats });
        profiles.push(formatSummary('reads in process', reads.profile));
        log('reads over HTTP');
        await readLoad(url, sampleLeads.slice(0, 50).map((id) => `/v1/leads/${id}/history`), 100);
        const httpHistory = await readLoad(url, sampleLeads.map((id) => `/v1/leads/${id}/history`), sampleLeads.length * profile.readRepeats);
        const httpState = await readLoad(url, sampleLeads.map((id) => `/v1/leads/${id}`), sampleLeads.length * profile.readRepeats);
        const inproc: InprocRun[] = [];
        for (const [callers, pick] of [[1, 'weighted'], [8, 'weighted'], [64, 'weighted'], [64, 'uniform']] as const) {
          log(`in-process commands, ${callers} caller(s), ${pick} pick of leads`);
          const run = await api.call<InprocRun & { profile?: ProfileSummary }>('inproc', {
            callers,
            durationMs: profile.inprocMs,
            warmup: profile.warmup,
            seed: args.seed,
            tag: `inproc${callers}${pick === 'uniform' ? 'u' : ''}`,
            pick,
          });
          profiles.push(formatSummary(`in-process commands, ${callers} caller(s), ${pick}`, run.profile));
          inproc.push(run);
        }
        log('HTTP commands, peak');
        await commandLoad(url, new LiveCommands(livePool, args.seed, 'http-warmup'), { connections: 64, durationS: 1 });
        const before = Number((await api.call<{ head: string }>('stats')).head);
        if (args.cpuProf) await api.call('profile-start');
        const peak = await commandLoad(url, new LiveCommands(livePool, args.seed, 'http-peak'), { connections: 64, durationS: profile.httpS });
        if (args.cpuProf) profiles.push(formatSummary('HTTP peak (API process)', await api.call<ProfileSummary>('profile-stop', { label: 'http-peak' })));
        const after = Number((await api.call<{ head: string }>('stats')).head);
        log('HTTP commands, fixed rate');
        const fixed = await commandLoad(url, new LiveCommands(livePool, args.seed, 'http-fixed'), {
          connections: 64,
          durationS: profile.httpS,
          overallRate: Math.max(1, Math.floor(peak.rate / 2)),
        });
        const stats = await api.call<{ processors: NonNullable<Results['api']>['processors'] }>('stats');
        const closed = await api.call<{ peakRss: number }>('close');
        const hwm = api.peakRss();
        await api.exit();
        return {
          bootMs: ready.bootMs,
          reads,
          httpHistory,
          httpState,
          inproc,
          httpPeak: { ...peak, events: after - before },
          httpFixed: fixed,
          peakRss: Math.max(closed.peakRss, hwm ?? 0),
          processors: stats.processors,
        };
      });
    } catch (error) {
      results.apiError = (error as Error).message;
      fatal = error;
    }

    // 6. Kafka: relay throughput from the start of the log, then capture-to-consumer latency.
    if (args.kafka && results.api) {
      results.kafka = await phase('Kafka', async () => {
        broker = await startBroker(log);
        if (!broker.available) return { broker };
        const run: KafkaRun = { broker: { available: true, mode: broker.mode } };
        const stamp = Date.now();
        try {
          log('bare producer (limit)');
          run.limit = await producerLimit(broker.brokers, `bench.limit.${stamp}`, engineFile, profile.relayLimitMax);
          const topic = `bench.relay.${stamp}`;
          const api = new Child(join(__dirname, 'engine-host.ts'), ['api'], { ...apiEnv, KAFKA_BROKERS: broker.brokers.join(','), KAFKA_TOPIC: topic });
          children.push(api);
          await api.ready;
          log('relay catching up from the start of the log');
          const relay = await api.call<{
            head: string;
            first?: { t: number; published: number };
            done: { t: number; published: number };
            state: string;
            lastError?: string;
          }>('relay');
          if (relay.first) {
            run.relay = {
              messages: relay.done.published - relay.first.published,
              seconds: (relay.done.t - relay.first.t) / 1000,
              total: relay.done.published,
              state: relay.state,
              lastError: relay.lastError,
            };
          }
          if (relay.first) {
            const relayProfile = (relay as { profile?: ProfileSummary }).profile;
            profiles.push(formatSummary('Kafka relay catch-up (API process)', relayProfile));
          }
          let closed = await api.call<{ peakRss: number }>('close');
          run.peakRss = Math.max(closed.peakRss, api.peakRss() ?? 0);
          await api.exit();

          // Latency in a fresh API process whose relay starts at the head (the catch-up and the broker's
          // work after it are over), on a new topic created beforehand.
          await new Promise((r) => setTimeout(r, 5_000));
          const liveTopic = `bench.live.${stamp}`;
          await createTopic(broker.brokers, liveTopic, 6);
          const live = new Child(join(__dirname, 'engine-host.ts'), ['api'], { ...apiEnv, KAFKA_BROKERS: broker.brokers.join(','), KAFKA_TOPIC: liveTopic });
          children.push(live);
          const liveReady = (await live.ready) as { port: number; apiKey: string };
          useApiKey(liveReady.apiKey);
          await live.call('relay');
          await live.call('init', { pool: livePool });
          const liveUrl = `http://127.0.0.1:${liveReady.port}`;
          log('HTTP commands, peak with the relay running');
          await commandLoad(liveUrl, new LiveCommands(livePool, args.seed, 'kafka-warmup'), { connections: 64, durationS: 1 });
          const peak = await commandLoad(liveUrl, new LiveCommands(livePool, args.seed, 'kafka-peak'), { connections: 64, durationS: profile.httpS });
          const consumer = new LatencyConsumer(broker.brokers, liveTopic);
          await consumer.start();
          const rate = Math.max(1, Math.floor((peak.rate || 100) / 2));
          log(`capture-to-consumer at ${rate} commands/s`);
          const load = await commandLoad(liveUrl, new LiveCommands(livePool, args.seed, 'kafka'), {
            connections: 64,
            durationS: profile.latencyS,
            overallRate: rate,
            stamp: true,
          });
          const ok = Object.entries(load.statuses)
            .filter(([code]) => Number(code) < 300)
            .reduce((a, [, c]) => a + c, 0);
          const complete = await consumer.waitFor(ok, 30_000);
          await consumer.stop();
          run.latency = { rate, peak, load, all: consumer.all.summary(), captures: consumer.captures.summary(), received: consumer.all.count, complete };
          closed = await live.call<{ peakRss: number }>('close');
          run.peakRss = Math.max(run.peakRss, closed.peakRss, live.peakRss() ?? 0);
          await live.exit();
        } catch (error) {
          run.error = (error as Error).message.split('\n')[0];
        } finally {
          await broker.stop().catch(() => undefined);
          broker = undefined;
        }
        return run;
      });
    } else if (!args.kafka) {
      results.kafka = { broker: { available: false, reason: 'skipped (--no-kafka)' } };
    }
  } catch (error) {
    fatal = error;
    log(`FAILED: ${(error as Error).stack ?? error}`);
  } finally {
    await cleanup();
  }

  results.load.end = os.loadavg()[0];
  if (results.seed && results.workload) {
    const report = renderReport(results as Results);
    process.stdout.write(`${report}\n`);
    // A profiled run is slower: its table goes beside the profiles, not over the last plain run.
    const base = profile.name === 'small' ? 'last-small-run' : profile.name === '1m' ? 'last-full-run' : `last-${profile.name}-run`;
    const file = args.cpuProf ? join('profiles', `${base}-profiled.md`) : `${base}.md`;
    mkdirSync(join(__dirname, 'results', 'profiles'), { recursive: true });
    writeFileSync(join(__dirname, 'results', file), `${report}\n`);
    log(`written to bench/results/${file}`);
    if (profiles.filter(Boolean).length) {
      const text = profiles.filter(Boolean).join('\n\n');
      writeFileSync(join(profDir, `summary-${profile.name}.txt`), `${text}\n`);
      log(`CPU profiles in bench/results/profiles (summary-${profile.name}.txt):\n${text}`);
    }
  }
  if (fatal) {
    log(`the engine part of the benchmark failed: ${(fatal as Error).message ?? fatal}`);
    process.exit(1);
  }
  process.exit(0);
}

main().catch((error) => {
  log(`FAILED: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
