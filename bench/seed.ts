/**
 * Writes the generated history into a fresh data folder through the engine's own store stack (the
 * EVENT_STORE that LeadLifecycleModule builds: hash chaining, contact encryption, the SQLite adapter with
 * group commit), with the expected revision of every append. Appends of distinct streams are handed
 * over together so they share group commits; an append to a stream already in the group waits for it.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { EventStore } from '@lead-lifecycle/eventing';
import { join } from 'node:path';
import * as eventStore from '@lead-lifecycle/eventing';
import { EngineConfig, LeadLifecycleModule, type LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';
import { EVENT_STORE } from '@lead-lifecycle/eventing';
import { nowMs } from './lib/stats';
import { type SeedAppend, type Workload } from './workload';

export interface SeedResult {
  readonly events: number;
  readonly appends: number;
  readonly seconds: number;
  readonly head: number;
  readonly groups: number;
}

export async function seedEngine(dataDir: string, workload: Workload, log: (line: string) => void): Promise<SeedResult> {
  // Loading is setup, not a measurement: the event log and the key store are written without an fsync
  // per commit (SQLITE_DURABILITY=normal, key store synchronous=NORMAL); the files are the same, and they
  // are checkpointed to disk when the store closes. Every measured phase runs with SQLITE_DURABILITY=full.
  const engine = EngineConfig.fromEnv({ DATA_DIR: dataDir, SQLITE_DURABILITY: 'normal' });
  const keyStore = relaxedKeyStore(join(dataDir, 'keys.sqlite'));
  const app = await NestFactory.createApplicationContext(
    LeadLifecycleModule.forRoot({ engine, runReactions: false, ...(keyStore ? { keyStore } : {}) } as LeadLifecycleModuleOptions),
    { logger: false },
  );
  const store = app.get<EventStore>(EVENT_STORE);
  const started = nowMs();
  let events = 0;
  let appends = 0;
  let groups = 0;
  let nextLog = 100_000;
  // Open groups of appends, oldest first; a stream appears at most once per group, and a step goes to
  // the group after the last one holding any of its streams (a small look-ahead window keeps business
  // time order between streams roughly, and per stream exactly).
  const MAX_GROUP = 2000;
  const WINDOW = 256;
  const open: SeedAppend[][] = [];
  const lastGroupOf = new Map<string, number>();
  let base = 0;
  const flushFirst = async () => {
    const group = open.shift();
    base++;
    if (!group?.length) return;
    await Promise.all(group.map((a) => store.appendToStream(a.streamId, a.events, a.expected)));
    groups++;
  };
  try {
    for await (const step of workload.steps()) {
      let at = base;
      for (const append of step.appends) {
        const last = lastGroupOf.get(append.streamId);
        if (last !== undefined && last + 1 > at) at = last + 1;
      }
      while (at - base >= WINDOW) await flushFirst();
      at = Math.max(at, base);
      while (open.length <= at - base) open.push([]);
      open[at - base].push(...step.appends);
      for (const append of step.appends) {
        lastGroupOf.set(append.streamId, at);
        appends++;
        events += append.events.length;
      }
      if (open[0].length >= MAX_GROUP) await flushFirst();
      if (events >= nextLog) {
        log(`seed: ${events.toLocaleString('en-US')} events (${Math.round(events / ((nowMs() - started) / 1000)).toLocaleString('en-US')}/s)`);
        nextLog += 100_000;
      }
    }
    while (open.length) await flushFirst();
    const seconds = (nowMs() - started) / 1000;
    const head = Number((await store.headPosition()).commit);
    return { events, appends, seconds, head, groups };
  } finally {
    await app.close();
  }
}

/** The engine's SQLite key store on the data folder's keys.sqlite, committing without an fsync while loading. */
function relaxedKeyStore(file: string): unknown {
  const KeyStore = (eventStore as Record<string, unknown>).SqliteKeyStore as (new (file: string) => { db?: { pragma(p: string): unknown } }) | undefined;
  if (!KeyStore) return undefined;
  const store = new KeyStore(file);
  store.db?.pragma('synchronous = NORMAL');
  return store;
}
