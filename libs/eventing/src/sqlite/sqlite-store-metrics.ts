/**
 * What the embedded store has done since it was opened (or since its counters were last reset): how
 * many appends it took, how it grouped them into commits, and how long the commits took. Read with
 * {@link SqliteEventStore.metrics}; cheap enough to keep on in production (a few additions per commit).
 */
export interface SqliteStoreMetrics {
  /**
   * Appends that reached a group commit, whether written or refused there (an append refused before it
   * is queued, by the content checks of `validateAppend`, is not counted).
   */
  readonly appends: number;
  /** Events written (an idempotent replay writes none). */
  readonly events: number;
  /** Group commits: transactions that carried at least one append. */
  readonly groupCommits: number;
  /** `appends / groupCommits`: 0 before the first commit. */
  readonly meanAppendsPerCommit: number;
  /** `events / groupCommits`: 0 before the first commit. */
  readonly meanEventsPerCommit: number;
  /** Most appends one group commit carried. */
  readonly maxAppendsPerCommit: number;
  /** Appends refused with WrongExpectedRevisionError (a concurrent writer got there first). */
  readonly conflicts: number;
  /** Appends refused for another reason inside a commit (an event id already used elsewhere, ...). */
  readonly otherFailures: number;
  /** Group commits that failed as a whole (the database unavailable): all their appends were refused. */
  readonly failedCommits: number;
  /** Wall time spent in the COMMIT statements, in ms: with durability 'full' this is the fsync of the WAL. */
  readonly commitMs: number;
  /** Wall time spent in whole group commits (BEGIN to COMMIT, the appends' reads and inserts included), in ms. */
  readonly flushMs: number;
}

import type { BatchReport } from './sqlite-append-batch';

/** The mutable counters behind {@link SqliteStoreMetrics}; one per store, owned by it. */
export class SqliteStoreCounters {
  appends = 0;
  events = 0;
  groupCommits = 0;
  maxAppendsPerCommit = 0;
  conflicts = 0;
  otherFailures = 0;
  failedCommits = 0;
  commitMs = 0;
  flushMs = 0;

  /** Adds what one batch did (written on this thread or reported by the writer thread). */
  record(report: BatchReport): void {
    this.appends += report.appends;
    this.flushMs += report.flushMs;
    if (report.failedCommit) {
      this.failedCommits++;
      return;
    }
    this.groupCommits++;
    this.maxAppendsPerCommit = Math.max(this.maxAppendsPerCommit, report.appends);
    this.events += report.events;
    this.conflicts += report.conflicts;
    this.otherFailures += report.otherFailures;
    this.commitMs += report.commitMs;
  }

  /** A frozen copy with the derived means. */
  snapshot(): SqliteStoreMetrics {
    const perCommit = (n: number) => (this.groupCommits === 0 ? 0 : n / this.groupCommits);
    return Object.freeze({
      appends: this.appends,
      events: this.events,
      groupCommits: this.groupCommits,
      meanAppendsPerCommit: perCommit(this.appends),
      meanEventsPerCommit: perCommit(this.events),
      maxAppendsPerCommit: this.maxAppendsPerCommit,
      conflicts: this.conflicts,
      otherFailures: this.otherFailures,
      failedCommits: this.failedCommits,
      commitMs: this.commitMs,
      flushMs: this.flushMs,
    });
  }

  reset(): void {
    this.appends = this.events = this.groupCommits = this.maxAppendsPerCommit = 0;
    this.conflicts = this.otherFailures = this.failedCommits = this.commitMs = this.flushMs = 0;
  }
}
