/**
 * The engine under test, in its own process so that its memory is measured alone and the load
 * generators do not share its event loop.
 *
 *   engine-host.ts rebuild   rebuild the funnel, scoring and KPI read models from the store (as the CLI does)
 *   engine-host.ts api       boot the API (createApp) on 127.0.0.1 and answer in-process measurement requests
 *
 * Configuration comes from the environment (DATA_DIR, SQLITE_DURABILITY, KAFKA_*), as for the API.
 */
import 'reflect-metadata';
import { type INestApplication } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DEFAULT_LIFECYCLE_CONFIG } from '@lead-lifecycle/domain';
import { type EventStore, findStoreLayer, SqliteEventStore, SqliteKeyStore } from '@lead-lifecycle/eventing';
import { CaptureLeadCommand, createEventStore, EngineConfig, GetLeadHistoryQuery, GetLeadQuery, LeadRepository, OpportunityLifecycleReaction, RecordEngagementCommand } from '@lead-lifecycle/lifecycle';
import { EVENT_STORE, ProcessorHost, SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import { KafkaConfig, KafkaRelayProcessor } from '@lead-lifecycle/kafka-relay';
import { PROJECTION_NAMES, ProjectionsConfig, rebuildProjection, rebuildProjections } from '@lead-lifecycle/projections';
import { API_KEY_STORE, type ApiKeyStore, AuthConfig } from '@lead-lifecycle/identity';
import { createApp } from '../apps/api/src/bootstrap';
import { serve } from './lib/ipc';
import { PhaseProfiler } from './lib/profile';
import { type StoreSnapshot } from './lib/store-snapshot';
import { TimedKeyStore } from './lib/timed-key-store';
import { nowMs, Samples } from './lib/stats';
import { type LiveCommand, LiveCommands, type LivePool, TENANT } from './workload';

const mode = process.argv[2];
/** With BENCH_CPU_PROF_DIR set, each measured phase is CPU-profiled into that folder. */
const profiler = new PhaseProfiler(process.env.BENCH_CPU_PROF_DIR || undefined);

function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

// ---------------------------------------------------------------------------------------------
// rebuild

async function rebuild(): Promise<unknown> {
  const engine = EngineConfig.fromEnv();
  const store = createEventStore(engine);
  const checkpoints = new SqliteCheckpointStore(join(engine.DATA_DIR, 'read-models.sqlite'));
  try {
    const head = await store.headPosition();
    const reports = [];
    const profiles = [];
    for (const name of PROJECTION_NAMES) {
      await profiler.start();
      reports.push(await rebuildProjection(store, checkpoints, name, { poisonPolicy: 'stop' }));
      profiles.push(await profiler.stop(`rebuild-${name}`));
    }
    // All three in one pass over the log (`npm run projections:rebuild` without a name): one read for all.
    await profiler.start();
    const onePassStarted = nowMs();
    let onePassReads = 0;
    const onePass = await rebuildProjections(store, checkpoints, PROJECTION_NAMES, {
      poisonPolicy: 'stop',
      onMetrics: (m) => (onePassReads = m.readAllCalls),
    });
    const allInOnePass = { seconds: (nowMs() - onePassStarted) / 1000, reads: onePassReads, events: onePass.reduce((n, r) => n + r.events, 0) };
    profiles.push(await profiler.stop('rebuild-all'));
    // The generator already wrote what the opportunity reaction writes, inline as the command runners
    // do: the API starts with the reaction caught up instead of re-checking the whole history.
    checkpoints.save(new OpportunityLifecycleReaction(store, DEFAULT_LIFECYCLE_CONFIG).name, head);
    return { head: head.commit.toString(), reports, allInOnePass, peakRss: peakRssBytes(), profiles: profiles.filter(Boolean) };
  } finally {
    await store.close();
    checkpoints.close();
  }
}

// ---------------------------------------------------------------------------------------------
// api

/**
 * Where the time of a measured phase went, from the counters the components expose: the SQLite
 * adapter's metrics() (group commits, time in COMMIT, conflicts), found in the engine's own store stack
 * with findStoreLayer; the lead repository's metrics() (how often its cache spared a read and fold); and,
 * with the processors on this thread (PROCESSORS_IN=main, the Kafka phases), the consumer's metrics
 * (time in each processor's handleBatch) and a key store the benchmark hands in (TimedKeyStore). With
 * the worker, the engine builds every store itself and the processors run on another thread.
 */
class StoreProbe {
  private processorsMsAtReset = 0;

  constructor(
    private readonly sqlite: SqliteEventStore,
    private readonly keys: TimedKeyStore | undefined,
    private readonly processorsIn: 'main' | 'worker',
    private readonly host: ProcessorHost,
    private readonly leads: LeadRepository,
  ) {}

  reset(): void {
    this.sqlite.resetMetrics();
    this.keys?.reset();
    this.leads.resetMetrics();
    this.processorsMsAtReset = this.processorsMs();
  }

  snapshot(): StoreSnapshot {
    return {
      sqlite: this.sqlite.metrics(),
      writer: this.sqlite.writer,
      keys: this.keys?.snapshot(),
      processorsMs: this.processorsMs() - this.processorsMsAtReset,
      processorsIn: this.processorsIn,
      leads: this.leads.metrics(),
    };
  }

  /** Time in the handleBatch of this thread's processors (their transactions, with the fsync). */
  private processorsMs(): number {
    return Object.values(this.host.metrics().processors).reduce((ms, m) => ms + m.handleBatchMs, 0);
  }
}

function errorCode(error: unknown): string {
  const e = error as { code?: unknown; name?: string; constructor?: { name?: string } };
  return typeof e?.code === 'string' ? e.code : (e?.constructor?.name ?? e?.name ?? 'Error');
}

async function api(): Promise<void> {
  const kafka = KafkaConfig.fromEnv();
  // The relay phases watch the relay's processor object, which lives in this thread only with PROCESSORS_IN=main.
  const engine = EngineConfig.fromEnv(kafka.enabled ? { ...process.env, PROCESSORS_IN: 'main' } : process.env);
  const bootStarted = nowMs();
  // With the worker the engine must build its own stores (a live object cannot move to a thread), so the
  // key store is timed only when the processors share this thread.
  const keys = engine.PROCESSORS_IN === 'main' ? new TimedKeyStore(new SqliteKeyStore(join(engine.DATA_DIR, 'keys.sqlite'))) : undefined;
  const app: INestApplication = await createApp({
    lifecycle: { engine, ...(keys ? { keyStore: keys } : {}) },
    projections: ProjectionsConfig.fromEnv(),
    kafka,
    // The load generator is one credential: the per-credential rate limit must not be what is measured.
    auth: AuthConfig.fromEnv({ RATE_LIMIT_PER_MINUTE: '1000000', ...process.env }),
    logger: false,
  });
  // The HTTP phases call the API as an admin of the bench tenant, as any client must.
  const apiKey = (await app.get<ApiKeyStore>(API_KEY_STORE).create({ tenantId: TENANT, roles: ['admin'], name: 'bench' }, new Date())).key;
  const commands = app.get(CommandBus);
  const queries = app.get(QueryBus);
  const store = app.get<EventStore>(EVENT_STORE);
  const host = app.get(ProcessorHost);
  const sqlite = findStoreLayer(store, SqliteEventStore);
  if (!sqlite) throw new Error(`the benchmark measures the embedded store, not EVENT_STORE=${engine.EVENT_STORE}`);
  const probe = new StoreProbe(sqlite, keys, engine.PROCESSORS_IN, host, app.get(LeadRepository));

  // The Kafka relay starts with the application: watch it catch up from the start.
  let relayWatch: Promise<unknown> | undefined;
  if (kafka.enabled) {
    const relay = app.get(KafkaRelayProcessor, { strict: false });
    const head = await store.headPosition();
    relayWatch = new Promise((resolve) => {
      let first: { t: number; published: number } | undefined;
      const timer = setInterval(() => {
        const t = nowMs();
        if (!first && relay.published > 0) first = { t, published: relay.published };
        const runner = host.runner(relay.name);
        const status = runner?.status();
        if (status && status.position.commit >= head.commit) {
          clearInterval(timer);
          resolve({ head: head.commit.toString(), bootStarted, first, done: { t, published: relay.published }, state: status.state, lastError: status.lastError });
        }
      }, 2);
    });
  }

  let relayProfile: Promise<unknown> | undefined;
  if (relayWatch) {
    await profiler.start();
    relayProfile = relayWatch.then(() => profiler.stop('relay'));
  }
  await app.listen(0, '127.0.0.1');
  const listening = nowMs();
  const port = (app.getHttpServer().address() as { port: number }).port;
  let pool: LivePool | undefined;

  const execute = (command: LiveCommand): Promise<unknown> => {
    const context = { tenantId: TENANT, actor: 'bench', correlationId: randomUUID(), causationId: randomUUID() };
    const occurredAt = new Date().toISOString();
    if (command.kind === 'capture') return commands.execute(new CaptureLeadCommand({ ...command.fields, occurredAt }, context));
    return commands.execute(
      new RecordEngagementCommand(command.leadId, { activityType: command.type, properties: command.properties, occurredAt }, context),
    );
  };

  serve(
    {
      init: (args: { pool: LivePool }) => {
        pool = args.pool;
        return { leads: pool.leadIds.length };
      },

      /** Durable commands through the CommandBus with `callers` concurrent callers for `durationMs`. */
      inproc: async (args: { callers: number; durationMs: number; warmup: number; seed: string; tag: string; pick?: 'weighted' | 'uniform' }) => {
        if (!pool) throw new Error('init first');
        const source = new LiveCommands(pool, args.seed, args.tag, args.pick ?? 'weighted');
        const all = new Samples();
        const byKind = { capture: new Samples(), activity: new Samples() };
        const errors: Record<string, number> = {};
        const run = async (until: () => boolean, record: boolean) => {
          let started = 0;
          await Promise.all(
            Array.from({ length: args.callers }, async () => {
              while (!until()) {
                started++;
                const command = source.next();
                const t0 = nowMs();
                try {
                  await execute(command);
                  if (!record) continue;
                  const ms = nowMs() - t0;
                  all.add(ms);
                  byKind[command.kind].add(ms);
                } catch (error) {
                  if (record) errors[errorCode(error)] = (errors[errorCode(error)] ?? 0) + 1;
                }
              }
            }),
          );
          return started;
        };
        let warm = 0;
        await run(() => warm++ >= args.warmup, false);
        probe.reset();
        await profiler.start();
        const elu0 = performance.eventLoopUtilization();
        const started = nowMs();
        const deadline = started + args.durationMs;
        await run(() => nowMs() >= deadline, true);
        const seconds = (nowMs() - started) / 1000;
        const elu = performance.eventLoopUtilization(elu0);
        const profile = await profiler.stop(`inproc-${args.callers}${args.pick === 'uniform' ? '-uniform' : ''}`);
        return {
          pick: args.pick ?? 'weighted',
          profile,
          callers: args.callers,
          seconds,
          completed: all.count,
          latency: all.summary(),
          capture: byKind.capture.summary(),
          activity: byKind.activity.summary(),
          errors,
          store: probe.snapshot(),
          eventLoopUtilization: elu.utilization,
        };
      },

      /** One lead's history and state through the QueryBus, sequentially. */
      reads: async (args: { leadIds: string[]; repeats: number }) => {
        const history = new Samples();
        const state = new Samples();
        let events = 0;
        let largest = { leadId: '', events: 0, ms: 0 };
        for (const id of args.leadIds.slice(0, 50)) {
          await queries.execute(new GetLeadHistoryQuery(TENANT, id));
          await queries.execute(new GetLeadQuery(TENANT, id));
        }
        await profiler.start();
        for (let r = 0; r < args.repeats; r++) {
          for (const id of args.leadIds) {
            let t0 = nowMs();
            const h = (await queries.execute(new GetLeadHistoryQuery(TENANT, id))) as { events: unknown[] };
            const ms = nowMs() - t0;
            history.add(ms);
            events += h.events.length;
            if (h.events.length > largest.events) largest = { leadId: id, events: h.events.length, ms };
            t0 = nowMs();
            await queries.execute(new GetLeadQuery(TENANT, id));
            state.add(nowMs() - t0);
          }
        }
        const profile = await profiler.stop('reads-in-process');
        return { history: history.summary(), state: state.summary(), eventsPerHistory: events / Math.max(1, history.count), largest, profile };
      },

      'profile-start': () => profiler.start(),
      'profile-stop': (args: { label: string }) => profiler.stop(args.label),

      relay: async () => {
        if (!relayWatch) throw new Error('the relay is not running (KAFKA_BROKERS unset)');
        return { ...((await relayWatch) as object), listening, profile: await relayProfile };
      },

      stats: async () => ({
        peakRss: peakRssBytes(),
        memory: process.memoryUsage(),
        head: (await store.headPosition()).commit.toString(),
        processors: host.statuses().map((s) => ({ name: s.name, state: s.state, position: s.position.commit.toString(), lastError: s.lastError, stoppedReason: s.stoppedReason })),
      }),

      close: async () => {
        const peak = peakRssBytes();
        // After this reply has gone: close the app, then leave (a failed close crashes the host instead).
        setTimeout(() => void app.close().then(() => process.exit(0)), 10);
        return { peakRss: peak };
      },
    },
    { port, bootMs: listening - bootStarted, apiKey },
  );
}

async function main(): Promise<void> {
  if (mode === 'rebuild') {
    serve({
      run: async () => {
        const result = await rebuild();
        setTimeout(() => process.exit(0), 10);
        return result;
      },
    });
    return;
  }
  if (mode === 'api') return api();
  throw new Error(`unknown mode ${mode}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
