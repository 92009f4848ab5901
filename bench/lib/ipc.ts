import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');

interface Request {
  readonly id: number;
  readonly op: string;
  readonly args: unknown;
}
interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
}

/** A TypeScript child process (ts-node, transpile-only, tsconfig paths) answering requests over IPC. */
export class Child {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited?: string;
  readonly ready: Promise<Record<string, unknown>>;
  private readonly proc: ChildProcess;

  constructor(script: string, args: string[], env: Record<string, string>, extraExecArgv: string[] = []) {
    this.proc = fork(script, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json'), ...env },
      execArgv: [...extraExecArgv, '-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: { type?: string } & Record<string, unknown>) => {
        if (message?.type === 'ready') {
          this.proc.off('message', onMessage);
          resolve(message);
        }
      };
      this.proc.on('message', onMessage);
      this.proc.once('exit', (code, signal) => reject(new Error(`child ${script} exited before it was ready (${signal ?? code})`)));
    });
    this.proc.on('message', (message: Reply & { type?: string }) => {
      if (message?.type === 'ready' || typeof message?.id !== 'number') return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(message.error));
    });
    this.proc.on('exit', (code, signal) => {
      this.exited = `exited with ${signal ?? code}`;
      for (const waiter of this.pending.values()) waiter.reject(new Error(`child ${this.exited}`));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  call<T>(op: string, args: unknown = {}): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`child ${this.exited}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send({ id, op, args } satisfies Request);
    });
  }

  /** Peak resident set size of the child so far (Linux: VmHWM), in bytes. */
  peakRss(): number | undefined {
    return procStatusKb(this.pid, 'VmHWM');
  }

  rss(): number | undefined {
    return procStatusKb(this.pid, 'VmRSS');
  }

  async exit(timeoutMs = 20_000): Promise<void> {
    if (this.exited) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.proc.kill('SIGKILL');
        resolve();
      }, timeoutMs);
      this.proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  kill(): void {
    if (!this.exited) this.proc.kill('SIGKILL');
  }
}

export function procStatusKb(pid: number, field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The child side: answer requests with the handlers, announce readiness with `info`. */
export function serve(handlers: Record<string, (args: any) => Promise<unknown> | unknown>, info: Record<string, unknown> = {}): void {
  process.on('disconnect', () => process.exit(1));
  const answer = async (request: Request): Promise<void> => {
    const handler = handlers[request.op];
    try {
      if (!handler) throw new Error(`unknown op ${request.op}`);
      const result = await handler(request.args);
      process.send!({ id: request.id, ok: true, result } satisfies Reply);
    } catch (error) {
      process.send!({ id: request.id, ok: false, error: (error as Error)?.stack ?? String(error) } satisfies Reply);
    }
  };
  // Every failure of a handler is answered as a reply; the listener itself has nothing to wait for.
  process.on('message', (request: Request) => void answer(request));
  process.send!({ type: 'ready', ...info });
}
