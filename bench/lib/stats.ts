/** Latency samples in milliseconds, with the percentiles the report prints. */
export class Samples {
  private values: Float64Array;
  private n = 0;

  constructor(capacity = 1024) {
    this.values = new Float64Array(capacity);
  }

  add(ms: number): void {
    if (this.n === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.n++] = ms;
  }

  get count(): number {
    return this.n;
  }

  summary(): LatencySummary {
    if (this.n === 0) return { count: 0, p50: NaN, p99: NaN, max: NaN, mean: NaN };
    const sorted = this.values.slice(0, this.n).sort();
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += sorted[i];
    return { count: this.n, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted[this.n - 1], mean: sum / this.n };
  }
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank quantile of sorted values. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable within one process. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

export function fmtInt(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

export function fmtRatio(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x >= 10) return `${Math.round(x)}×`;
  return `${x.toFixed(2)}×`;
}

export function fmtMB(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}
