import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NewEvent, type StoredEvent } from '../event-store.port';
import { WrongExpectedRevisionError } from '../event-store.errors';
import { SqliteEventStore } from './sqlite-event-store';

const root = join(__dirname, '..', '..', '..', '..');

function newEvent(note: string): NewEvent {
  const eventId = randomUUID();
  return {
    eventId,
    type: 'ThingHappened',
    schemaVersion: 1,
    data: { note },
    metadata: { tenantId: 't', occurredAt: '2026-01-01T00:00:00.000Z', actor: 'test', correlationId: eventId, causationId: eventId },
  };
}

describe("SqliteEventStore with writer: 'thread'", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lead-lifecycle-writer-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes in the thread, and a read right after an acknowledged append sees it', async () => {
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), writer: 'thread' });
    try {
      expect(store.writer).toBe('thread');
      for (let i = 0; i < 30; i++) {
        const stream = `ryw-${i % 3}`;
        const event = newEvent(`n${i}`);
        const result = await store.appendToStream(stream, [event]);
        const read = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
        expect(read.map((e) => [e.eventId, e.revision])).toEqual([[event.eventId, result.nextExpectedRevision]]);
        expect((await store.headPosition()).commit).toBe(result.position.commit);
      }
      const metrics = store.metrics();
      expect(metrics).toMatchObject({ appends: 30, events: 30, failedCommits: 0 });
      expect(metrics.groupCommits).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  it('gives exactly one winner per revision to many concurrent appends on one stream, and the others WrongExpectedRevision', async () => {
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), writer: 'thread' });
    try {
      const stream = 'contended';
      const CALLERS = 16;
      const ROUNDS = 25;
      const winners: string[] = [];
      let conflicts = 0;
      // Every caller tries to write the next revision, re-reading after a conflict, until ROUNDS revisions exist.
      await Promise.all(
        Array.from({ length: CALLERS }, async (_, c) => {
          for (;;) {
            const last = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
            const revision = last.length ? last[0].revision : undefined;
            if (revision !== undefined && revision >= BigInt(ROUNDS - 1)) return;
            const event = newEvent(`caller ${c}`);
            try {
              const result = await store.appendToStream(stream, [event], revision === undefined ? 'no_stream' : revision);
              winners.push(`${result.nextExpectedRevision}:${event.eventId}`);
            } catch (error) {
              expect(error).toBeInstanceOf(WrongExpectedRevisionError);
              conflicts++;
            }
          }
        }),
      );
      const events = await store.readStream(stream);
      expect(events.map((e) => e.revision)).toEqual(Array.from({ length: ROUNDS }, (_, i) => BigInt(i)));
      // One acknowledged winner per revision, and it is the event the stream holds there.
      expect(winners.sort()).toEqual(events.map((e) => `${e.revision}:${e.eventId}`).sort());
      expect(conflicts).toBeGreaterThan(0);
      expect(store.metrics().conflicts).toBe(conflicts);
    } finally {
      await store.close();
    }
  });

  it('wakes its subscriptions when the thread has committed', async () => {
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), writer: 'thread', pollIntervalMs: 60_000 });
    try {
      const subscription = store.subscribeToAll();
      const received: StoredEvent[] = [];
      const done = (async () => {
        for await (const event of subscription) {
          received.push(event);
          if (received.length === 3) break;
        }
      })();
      // The poll interval is a minute: only the wake after each commit can deliver these in time.
      for (let i = 0; i < 3; i++) await store.appendToStream(`sub-${i}`, [newEvent(`s${i}`)], 'no_stream');
      await done;
      await subscription.close();
      expect(received.map((e) => e.streamId)).toEqual(['sub-0', 'sub-1', 'sub-2']);
    } finally {
      await store.close();
    }
  });

  it('keeps every acknowledged append of a process killed with SIGKILL three times', async () => {
    const eventsFile = join(dir, 'events.sqlite');
    const acksFile = join(dir, 'acks.txt');
    const acks = () => (existsSync(acksFile) ? readFileSync(acksFile, 'utf8').split('\n').filter(Boolean) : []);
    for (let run = 1; run <= 3; run++) {
      const before = acks().length;
      const child = spawn(
        process.execPath,
        ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', join(root, 'test', 'support', 'sqlite-writer-crash-child.ts'), eventsFile, acksFile, String(run), '12'],
        { cwd: root, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      // Killed at a different number of acknowledgements each run, in the middle of the appends.
      const target = before + 40 + run * 17;
      const deadline = Date.now() + 60_000;
      while (acks().length < target && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      expect({ signal: await exited, stderr }).toEqual({ signal: 'SIGKILL', stderr: '' });
      expect(acks().length).toBeGreaterThanOrEqual(target);
    }
    const store = new SqliteEventStore({ filename: eventsFile });
    try {
      const stored = new Map<string, StoredEvent>();
      for (let after = undefined as StoredEvent['position'] | undefined; ; ) {
        const batch = await store.readAll({ after, maxCount: 1000 });
        for (const event of batch) stored.set(event.eventId, event);
        if (batch.length < 1000) break;
        after = batch[batch.length - 1].position;
      }
      const acknowledged = acks().map((line) => line.split(' '));
      const missing = acknowledged.filter(([streamId, eventId, revision]) => {
        const event = stored.get(eventId);
        return !event || event.streamId !== streamId || event.revision.toString() !== revision;
      });
      expect({ acknowledged: acknowledged.length, missing }).toEqual({ acknowledged: acknowledged.length, missing: [] });
      // Each run's streams have no gaps: a revision is written only after the one before it was.
      for (const event of stored.values()) {
        if (event.revision > 0n) expect((await store.readStream(event.streamId, { fromRevision: event.revision - 1n, maxCount: 1 })).length).toBe(1);
      }
    } finally {
      await store.close();
    }
  }, 240_000);
});
