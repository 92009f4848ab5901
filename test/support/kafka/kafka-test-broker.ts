/**
 * A real Kafka broker for the integration tests, found or started in this order:
 *   1. KAFKA_BROKERS (comma-separated host:port list) from the environment: used as it is.
 *   2. A Docker engine that answers: `apache/kafka` (KRaft) started with testcontainers.
 *   3. `java` and `mvn` on PATH: Apache Kafka's own jars are fetched once from Maven Central into
 *      a cache folder and a single-node KRaft broker (broker+controller) runs as a child JVM on 127.0.0.1.
 *   4. Otherwise: `{ available: false, reason }`.
 *
 * Environment knobs:
 *   KAFKA_BROKERS        use this cluster, start nothing
 *   KAFKA_TEST_VERSION   Kafka version for the jars and the image (default below)
 *   KAFKA_JARS_CACHE     base folder of the jar cache (default ~/.cache/lead-lifecycle);
 *                        jars go to <base>/kafka-<version>/libs
 *   KAFKA_IMAGE          docker image for the testcontainers mode (default apache/kafka:<version>)
 *   KAFKA_TEST_NO_DOCKER=1  skip the Docker probe
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

export const DEFAULT_KAFKA_VERSION = '4.1.1';

export type KafkaForTests =
  | {
      available: true;
      brokers: string[];
      mode: 'env' | 'testcontainers' | 'local-jars';
      stop(): Promise<void>;
      /** Cut the broker (local-jars: kill the JVM, SIGKILL unless graceful; testcontainers: docker stop). */
      pause?(options?: { graceful?: boolean }): Promise<void>;
      /** Bring it back on the same port with the same data, and wait until it answers. */
      resume?(): Promise<void>;
    }
  | { available: false; reason: string };

export interface ProvideKafkaOptions {
  /** Ignore KAFKA_BROKERS and start a broker of our own (e.g. a crash test that needs pause/resume). */
  ownBroker?: boolean;
  /** How long to wait for the broker to answer after start (default 60 s). */
  startupTimeoutMs?: number;
}

type Log = (line: string) => void;

export async function provideKafka(log: Log = () => {}, options: ProvideKafkaOptions = {}): Promise<KafkaForTests> {
  const why: string[] = [];

  // 1. An existing cluster
  const fromEnv = (process.env.KAFKA_BROKERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (fromEnv.length > 0 && !options.ownBroker) {
    log(`kafka: using KAFKA_BROKERS=${fromEnv.join(',')}`);
    return { available: true, brokers: fromEnv, mode: 'env', stop: async () => {} };
  }
  why.push(options.ownBroker ? 'own broker requested (KAFKA_BROKERS ignored)' : 'KAFKA_BROKERS is not set');

  const version = process.env.KAFKA_TEST_VERSION || DEFAULT_KAFKA_VERSION;

  // 2. Docker
  const docker = process.env.KAFKA_TEST_NO_DOCKER === '1' ? { ok: false as const, reason: 'KAFKA_TEST_NO_DOCKER=1' } : await probeDocker(2500);
  if (docker.ok) {
    log('kafka: a Docker engine answers, starting apache/kafka with testcontainers');
    try {
      return await startKafkaContainer(version, log, options.startupTimeoutMs ?? 120_000);
    } catch (e) {
      return { available: false, reason: `Docker engine found but the Kafka container failed: ${errText(e)}` };
    }
  }
  why.push(`no Docker engine (${docker.reason})`);

  // 3. Local jars
  const java = findOnPath('java', process.env.JAVA_HOME ? [path.join(process.env.JAVA_HOME, 'bin')] : []);
  const mvn = findOnPath('mvn');
  if (java && mvn) {
    try {
      return await startLocalJarsKafka({ version, log, java, mvn, startupTimeoutMs: options.startupTimeoutMs });
    } catch (e) {
      return { available: false, reason: `${why.join('; ')}; local-jars broker failed: ${errText(e)}` };
    }
  }
  if (!java) why.push('`java` not found on PATH');
  if (!mvn) why.push('`mvn` not found on PATH');

  // 4. Nothing
  return { available: false, reason: `No Kafka broker for the tests: ${why.join('; ')}` };
}

// ---------------------------------------------------------------------------------------------
// Docker / testcontainers

async function probeDocker(timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  // Our own ping first: it can be cancelled, so a missing or silent engine costs at most timeoutMs and leaves
  // no pending socket behind (testcontainers' own lookup has no timeout and would keep node alive).
  const home = os.homedir();
  const dockerHost = process.env.DOCKER_HOST;
  let target: { socketPath: string } | { host: string; port: number; tls: boolean } | undefined;
  if (dockerHost) {
    if (dockerHost.startsWith('unix://')) target = { socketPath: dockerHost.slice('unix://'.length) };
    else if (!/^(tcp|http|https):\/\//.test(dockerHost)) {
      return { ok: false, reason: `DOCKER_HOST=${dockerHost} is not a unix:// or tcp:// address (not probed)` };
    } else {
      try {
        const u = new URL(dockerHost.replace(/^tcp:/, 'http:'));
        const tls = u.protocol === 'https:' || !!process.env.DOCKER_TLS_VERIFY || u.port === '2376';
        target = { host: u.hostname, port: Number(u.port || (tls ? 2376 : 2375)), tls };
      } catch {
        return { ok: false, reason: `cannot parse DOCKER_HOST=${dockerHost}` };
      }
    }
  } else {
    const socketPath = [
      '/var/run/docker.sock',
      path.join(home, '.docker/run/docker.sock'),
      path.join(home, '.docker/desktop/docker.sock'),
      process.env.XDG_RUNTIME_DIR ? path.join(process.env.XDG_RUNTIME_DIR, 'docker.sock') : '',
      process.env.XDG_RUNTIME_DIR ? path.join(process.env.XDG_RUNTIME_DIR, 'podman/podman.sock') : '',
    ].find((p) => p && fs.existsSync(p));
    if (socketPath) target = { socketPath };
  }
  if (!target) return { ok: false, reason: 'no DOCKER_HOST and no docker socket' };
  const where = 'socketPath' in target ? target.socketPath : `${target.host}:${target.port}`;
  const pinged = await pingDocker(target, timeoutMs);
  if (pinged !== true) return { ok: false, reason: `docker engine at ${where} does not answer: ${pinged}` };
  try {
    const probe = (async () => {
      const { getContainerRuntimeClient } = await import('testcontainers');
      await getContainerRuntimeClient();
    })();
    await withTimeout(probe, 15_000, 'testcontainers could not reach the docker engine within 15 s');
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: errText(e) };
  }
}

/** GET /_ping over the socket or TCP (TLS endpoints: TCP connect only). Resolves true or a reason. */
function pingDocker(target: { socketPath: string } | { host: string; port: number; tls: boolean }, timeoutMs: number): Promise<true | string> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: true | string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      cleanup();
      finish(`no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    let cleanup = () => {};
    if ('tls' in target && target.tls) {
      const sock = net.connect({ host: target.host, port: target.port });
      cleanup = () => sock.destroy();
      sock.once('connect', () => {
        sock.destroy();
        finish(true);
      });
      sock.once('error', (e) => finish(e.message));
      return;
    }
    const req = http.get(
      { ...('socketPath' in target ? { socketPath: target.socketPath } : { host: target.host, port: target.port }), path: '/_ping' },
      (res) => {
        res.resume();
        req.destroy();
        finish(res.statusCode === 200 ? true : `HTTP ${res.statusCode}`);
      },
    );
    cleanup = () => req.destroy();
    req.once('error', (e) => finish(e.message));
  });
}

async function startKafkaContainer(version: string, log: Log, startupTimeoutMs: number): Promise<KafkaForTests> {
  const { GenericContainer, getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  const host = client.info.containerRuntime.host;
  // The advertised listener must carry the host port, so the host port is chosen before the start.
  const [hostPort] = await freePorts(1);
  const image = process.env.KAFKA_IMAGE || `apache/kafka:${version}`;
  const container = await new GenericContainer(image)
    .withExposedPorts({ container: 9092, host: hostPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://localhost:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${hostPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_MIN_INSYNC_REPLICAS: '1',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_NUM_PARTITIONS: '1',
    })
    .withStartupTimeout(startupTimeoutMs)
    .start();
  const brokers = [`${host}:${hostPort}`];
  await waitForKafka(brokers, startupTimeoutMs, () => undefined);
  log(`kafka: container ${container.getId().slice(0, 12)} answers on ${brokers[0]}`);
  const dockerContainer = () => client.container.getById(container.getId());
  let stopped = false;
  return {
    available: true,
    brokers,
    mode: 'testcontainers',
    async stop() {
      if (stopped) return;
      stopped = true;
      await container.stop({ timeout: 5_000 });
    },
    async pause(opts) {
      // The container is kept (not removed): its writable layer holds the log dir, its port binding is fixed.
      await client.container.stop(dockerContainer(), { timeout: opts?.graceful ? 10_000 : 0 } /* ms */);
    },
    async resume() {
      await client.container.start(dockerContainer());
      await waitForKafka(brokers, startupTimeoutMs, () => undefined);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Local jars

export interface LocalJarsOptions {
  version?: string;
  log?: Log;
  java?: string;
  mvn?: string;
  startupTimeoutMs?: number;
}

/** Start a local-jars KRaft broker directly (no env / Docker lookup). Throws on failure. */
export async function startLocalJarsKafka(opts: LocalJarsOptions = {}): Promise<KafkaForTests & { available: true }> {
  const version = opts.version ?? process.env.KAFKA_TEST_VERSION ?? DEFAULT_KAFKA_VERSION;
  const log = opts.log ?? (() => {});
  const java = opts.java ?? findOnPath('java', process.env.JAVA_HOME ? [path.join(process.env.JAVA_HOME, 'bin')] : []);
  const mvn = opts.mvn ?? findOnPath('mvn');
  if (!java) throw new Error('`java` not found on PATH');
  const startupTimeoutMs = opts.startupTimeoutMs ?? 60_000;

  const libs = await ensureKafkaJars(version, mvn, log);

  // A port taken between probing and binding makes the broker fail: try again with new ports.
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const broker = new LocalBroker(java, libs, log);
    try {
      await broker.init();
      const t0 = Date.now();
      await broker.start(startupTimeoutMs);
      log(`kafka: local-jars broker ${version} answers on ${broker.address} (started in ${Date.now() - t0} ms)`);
      return {
        available: true,
        brokers: [broker.address],
        mode: 'local-jars',
        stop: () => broker.dispose(),
        pause: (o) => broker.kill(!o?.graceful),
        resume: () => broker.start(startupTimeoutMs),
      };
    } catch (e) {
      lastError = e;
      await broker.dispose().catch(() => {});
      if (!/Address already in use|BindException/i.test(errText(e))) break;
      log(`kafka: port clash, retrying (${attempt})`);
    }
  }
  throw lastError;
}

/** Fetch the broker's runtime jars once into the cache; returns the libs folder. */
export async function ensureKafkaJars(version: string, mvn: string | undefined, log: Log = () => {}): Promise<string> {
  const base = process.env.KAFKA_JARS_CACHE || path.join(os.homedir(), '.cache', 'lead-lifecycle');
  const versionDir = path.join(base, `kafka-${version}`);
  const libs = path.join(versionDir, 'libs');
  const marker = path.join(libs, '.complete');
  if (fs.existsSync(marker)) return libs;
  if (!mvn) throw new Error(`Kafka jars are not cached in ${libs} and \`mvn\` is not on PATH`);

  fs.mkdirSync(versionDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(versionDir, '.fetch-'));
  const out = path.join(work, 'libs');
  const t0 = Date.now();
  log(`kafka: fetching Kafka ${version} jars with Maven into ${libs} (once)`);
  try {
    fs.writeFileSync(path.join(work, 'pom.xml'), pomXml(version));
    await run(
      mvn,
      [
        '-B', '-q', '-f', path.join(work, 'pom.xml'),
        `org.apache.maven.plugins:maven-dependency-plugin:${DEPENDENCY_PLUGIN_VERSION}:copy-dependencies`,
        `-DoutputDirectory=${out}`, '-DincludeScope=runtime',
      ],
      { cwd: work, timeoutMs: 10 * 60_000 },
    );
    if (!fs.readdirSync(out).some((f) => f.startsWith(`kafka_2.13-${version}`))) {
      throw new Error(`Maven ran but ${out} has no kafka_2.13-${version}.jar`);
    }
    fs.writeFileSync(path.join(out, '.complete'), `${new Date().toISOString()}\n`);
    try {
      fs.renameSync(out, libs); // atomic publish; loses if another process published first
    } catch (e) {
      if (!fs.existsSync(marker)) throw e;
    }
    log(`kafka: jars fetched in ${Date.now() - t0} ms`);
    return libs;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const DEPENDENCY_PLUGIN_VERSION = '3.8.1';
/** log4j-slf4j-impl must match the log4j-core that the Kafka version pulls in. */
const LOG4J_FOR_KAFKA: Record<string, string> = { '4.1.0': '2.24.3', '4.1.1': '2.24.3', '4.1.2': '2.24.3', '4.3.1': '2.25.4' };

function pomXml(version: string): string {
  const log4j = LOG4J_FOR_KAFKA[version] ?? '2.24.3';
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>lead-lifecycle.test</groupId>
  <artifactId>kafka-broker-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${version}</version></dependency>
    <!-- slf4j binding so that the broker's own log (and its startup errors) reach broker.log -->
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>${log4j}</version></dependency>
  </dependencies>
</project>
`;
}

const LOG4J2_PROPERTIES = `status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
logger.kafkacore.name = kafka
logger.kafkacore.level = INFO
`;

class LocalBroker {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lead-lifecycle-kafka-'));
  readonly logFile = path.join(this.dir, 'broker.log');
  address = '';
  private port = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly onExit = () => {
    // Process is going away: synchronous cleanup only.
    try {
      this.child?.kill('SIGKILL');
    } catch {
      /* already gone */
    }
    try {
      fs.rmSync(this.dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  };

  constructor(
    private readonly java: string,
    private readonly libs: string,
    private readonly log: Log,
  ) {
    process.on('exit', this.onExit);
  }

  private get props() {
    return path.join(this.dir, 'server.properties');
  }

  /** Ports, config, and a freshly formatted log dir. */
  async init(): Promise<void> {
    const [port, controllerPort] = await freePorts(2);
    this.port = port;
    this.address = `127.0.0.1:${port}`;
    fs.writeFileSync(path.join(this.dir, 'log4j2.properties'), LOG4J2_PROPERTIES);
    fs.writeFileSync(
      this.props,
      [
        'node.id=1',
        'process.roles=broker,controller',
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
        `log.dirs=${path.join(this.dir, 'data')}`,
        'num.partitions=1',
        'default.replication.factor=1',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'transaction.state.log.num.partitions=1',
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'min.insync.replicas=1',
        'auto.create.topics.enable=true',
        'group.initial.rebalance.delay.ms=0',
        // After a kill, the restarted broker cannot register until the old session expires (default 9 s).
        'broker.session.timeout.ms=3000',
        'broker.heartbeat.interval.ms=500',
        'log.segment.bytes=16777216',
        'num.network.threads=2',
        'num.io.threads=2',
        'num.recovery.threads.per.data.dir=1',
        'log.cleaner.threads=1',
        '',
      ].join('\n'),
    );
    const clusterId = randomClusterId();
    await run(this.java, [...this.jvmArgs(), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', this.props], {
      cwd: this.dir,
      timeoutMs: 60_000,
    });
  }

  private jvmArgs(): string[] {
    return [
      '-Xms128m', '-Xmx512m', '-XX:+UseSerialGC',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${path.join(this.dir, 'log4j2.properties')}`,
      `-Dkafka.logs.dir=${path.join(this.dir, 'logs')}`,
      '-cp', `${this.libs}${path.sep}*`,
    ];
  }

  /** Start the JVM (same config, same data) and wait until it answers. */
  async start(timeoutMs: number): Promise<void> {
    if (this.disposed) throw new Error('broker was stopped');
    if (this.child) return;
    const fd = fs.openSync(this.logFile, 'a');
    fs.writeSync(fd, `\n===== start ${new Date().toISOString()} =====\n`);
    let child: ChildProcess;
    try {
      child = spawn(this.java, [...this.jvmArgs(), 'kafka.Kafka', this.props], { cwd: this.dir, stdio: ['ignore', fd, fd] });
    } finally {
      fs.closeSync(fd);
    }
    this.child = child;
    child.unref();
    let exitInfo: string | undefined;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exitInfo = `exited with ${signal ?? `code ${code}`}`;
        if (this.child === child) this.child = undefined;
        resolve();
      });
      child.once('error', (e) => {
        exitInfo = `could not start: ${e.message}`;
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });
    if (child.pid) spawnWatchdog(child.pid, this.dir);
    try {
      await waitForKafka([this.address], timeoutMs, () => exitInfo);
    } catch (e) {
      await this.kill(true);
      throw new Error(`${errText(e)}\n--- tail of ${this.logFile} ---\n${tail(this.logFile, 40)}`);
    }
  }

  /** Stop the JVM, keep the data. SIGKILL at once when abrupt, else SIGTERM then SIGKILL after 15 s. */
  async kill(abrupt: boolean): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill(abrupt ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), abrupt ? 5_000 : 15_000);
    await this.exited;
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.kill(false);
    process.removeListener('exit', this.onExit);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Kills the broker JVM (and removes its dir) if the node process dies without running 'exit' handlers (SIGKILL...). */
function spawnWatchdog(javaPid: number, dir: string): void {
  const script =
    'while kill -0 "$1" 2>/dev/null; do kill -0 "$2" 2>/dev/null || exit 0; sleep 1; done; ' +
    'kill -9 "$2" 2>/dev/null; rm -rf "$3"';
  try {
    const w = spawn('sh', ['-c', script, 'kafka-watchdog', String(process.pid), String(javaPid), dir], {
      detached: true,
      stdio: 'ignore',
    });
    w.on('error', () => {});
    w.unref();
  } catch {
    /* best effort: the 'exit' handler still covers the normal cases */
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Polls until a kafkajs admin can list topics. `died()` returns a reason when the broker process is gone. */
export async function waitForKafka(brokers: string[], timeoutMs: number, died: () => string | undefined = () => undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    const dead = died();
    if (dead) throw new Error(`Kafka broker ${dead} before it answered`);
    const kafka = new Kafka({
      clientId: 'kafka-test-broker-probe',
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      requestTimeout: 3_000,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return;
    } catch (e) {
      last = errText(e);
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await sleep(300);
  }
  throw new Error(`Kafka at ${brokers.join(',')} did not answer within ${timeoutMs} ms (last error: ${last})`);
}

async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      servers.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

/** Kafka cluster id: 16 random bytes, base64url without padding, not starting with '-' (CLI parsing). */
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function findOnPath(cmd: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs].filter(Boolean);
  for (const d of dirs) {
    const p = path.join(d, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

function run(cmd: string, args: string[], o: { cwd: string; timeoutMs: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: o.cwd, timeout: o.timeoutMs, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const output = `${stdout ?? ''}${stderr ?? ''}`;
      if (err) reject(new Error(`${path.basename(cmd)} ${args.slice(-6).join(' ')} failed: ${err.message}\n${lastLines(output, 40)}`));
      else resolve(output);
    });
  });
}

function tail(file: string, lines: number): string {
  try {
    const size = fs.statSync(file).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, buf, 0, len, size - len);
    } finally {
      fs.closeSync(fd);
    }
    return lastLines(buf.toString('utf8'), lines);
  } catch (e) {
    return `(no log: ${errText(e)})`;
  }
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
