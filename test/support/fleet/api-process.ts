import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const API_MAIN = join(__dirname, '../../../apps/api/src/main.ts');

/** A free TCP port on 127.0.0.1, found by letting the system pick one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * One API instance of a fleet as its own operating-system process (`apps/api/src/main.ts` through
 * ts-node, as `npm start` runs it), so a test can kill it with SIGKILL and start it again on the same
 * data folder and port. Its output is kept for the failure message.
 */
export class ApiProcess {
  private child?: ChildProcess;
  private output: string[] = [];
  readonly dataDir: string;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.dataDir = env.DATA_DIR;
  }

  /** A new instance with its own data folder and port; `env` is the fleet's shared settings. */
  static async create(name: string, env: Record<string, string>): Promise<ApiProcess> {
    const port = await freePort();
    const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), `fleet-${name}-`));
    return new ApiProcess(name, port, { ...env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', INSTANCE_ID: name });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process and waits until GET /health answers 200. */
  async start(timeoutMs = 90_000): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    // The last run's lines are kept (a killed run's are what a failure needs), marked off.
    if (this.output.length) this.output.push(`\n----- ${this.name} started again\n`);
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', API_MAIN], {
      env: { ...process.env, ...this.env, TS_NODE_TRANSPILE_ONLY: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 400) this.output.splice(0, this.output.length - 400);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited while starting (code ${child.exitCode}, signal ${child.signalCode}):\n${this.log()}`);
      try {
        const answer = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1000) });
        if (answer.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${this.name} did not answer /health within ${timeoutMs} ms:\n${this.log()}`);
  }

  /** SIGKILL: no shutdown hook runs, no lease is released, nothing is flushed. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM and wait: the clean shutdown path (leases released, stores closed). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  /** The last lines the process wrote, for failure messages. */
  log(lines = 60): string {
    return this.output.join('').split('\n').slice(-lines).join('\n');
  }
}
