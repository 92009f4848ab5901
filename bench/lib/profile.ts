/** CPU profiles of one phase (node:inspector), saved as .cpuprofile and summarised by function. */
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './ipc';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  readonly fn: string;
  readonly ms: number;
  readonly pct: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  /** Time in the function itself. */
  readonly self: ProfileLine[];
  /** Time in the function and what it calls (each function counted once per sample). */
  readonly inclusive: ProfileLine[];
}

export class PhaseProfiler {
  private session?: Session;

  constructor(private readonly dir: string | undefined) {}

  get enabled(): boolean {
    return !!this.dir;
  }

  async start(): Promise<void> {
    if (!this.dir) return;
    const session = new Session();
    session.connect();
    const post = (method: string, params?: object) =>
      new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 200 });
    await post('Profiler.start');
    this.session = session;
  }

  async stop(label: string, top = 25): Promise<ProfileSummary | undefined> {
    const session = this.session;
    if (!session || !this.dir) return undefined;
    this.session = undefined;
    const result = await new Promise<{ profile: CpuProfile }>((resolve, reject) =>
      session.post('Profiler.stop', (err, res) => (err ? reject(err) : resolve(res as { profile: CpuProfile }))),
    );
    session.disconnect();
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, `${label}.cpuprofile`);
    writeFileSync(file, JSON.stringify(result.profile));
    return { file: relative(REPO_ROOT, file), ...summarize(result.profile, top) };
  }
}

export function summarize(profile: CpuProfile, top: number): Omit<ProfileSummary, 'file'> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const keyOf = (node: CpuProfileNode) => {
    const cf = node.callFrame;
    const url = cf.url ? cf.url.replace(/^file:\/\//, '') : '';
    const where = url ? `${relative(REPO_ROOT, url)}:${cf.lineNumber + 1}` : '';
    return `${cf.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const node = byId.get(id);
    if (!node) return;
    const key = keyOf(node);
    self.set(key, (self.get(key) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = keyOf(byId.get(at)!);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  });
  const lines = (m: Map<string, number>) =>
    [...m.entries()]
      .filter(([k]) => !/^\((root|program)\)/.test(k) && k !== 'dispatch' && !k.includes('bench/lib/profile.ts') && !k.startsWith('post node:inspector'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, us]) => ({ fn, ms: us / 1000, pct: (100 * us) / Math.max(1, total) }));
  return { totalMs: total / 1000, self: lines(self), inclusive: lines(inclusive) };
}

export function formatSummary(title: string, s: ProfileSummary | undefined, top = 15): string {
  if (!s) return '';
  const fmt = (l: ProfileLine) => `  ${l.pct.toFixed(1).padStart(5)} %  ${l.ms.toFixed(0).padStart(7)} ms  ${l.fn}`;
  return [
    `${title} — ${s.file} (${s.totalMs.toFixed(0)} ms sampled)`,
    ' self time:',
    ...s.self.slice(0, top).map(fmt),
    ' inclusive time:',
    ...s.inclusive.slice(0, top).map(fmt),
  ].join('\n');
}
