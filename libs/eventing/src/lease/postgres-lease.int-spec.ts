import fc from 'fast-check';
import { Pool } from 'pg';
import { freshDatabase, type FreshDatabase } from '../../../../test/support/postgres/fresh-database';
import { KillableLeaseStore, LeaseRecorder } from '../../../../test/support/lease/lease-recorder';
import { positionFromString } from '../event-store.port';
import { SqliteCheckpointStore } from '../processing/checkpoint-store';
import { FencedCheckpointError, PostgresCheckpointStore } from '../processing/postgres-checkpoint-store';
import { LeaseKeeper } from './lease-keeper';
import { PostgresLeaseStore } from './postgres-lease';

jest.setTimeout(120_000);

const TTL = 300;
const RENEW = 100;
/** Slack for a loaded machine on top of the bounds the lease promises (ttl + one renew interval). */
const SLACK = 400;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** One instance of a fleet: its own pool (its own connections), its own keeper, a store a test can kill. */
interface Instance {
  readonly pool: Pool;
  readonly store: KillableLeaseStore;
  readonly keeper: LeaseKeeper;
}

describe('the PostgreSQL row lease (local PostgreSQL server)', () => {
  let db: FreshDatabase;
  let instances: Instance[];
  let recorder: LeaseRecorder;

  beforeEach(async () => {
    db = await freshDatabase();
    instances = [];
    recorder = new LeaseRecorder();
    await PostgresLeaseStore.open(db.pool);
  });
  afterEach(async () => {
    for (const instance of instances) {
      instance.store.revive();
      await instance.keeper.stop();
      await instance.pool.end().catch(() => undefined);
    }
    await db.drop();
  });

  async function instance(name = 'relay:kafka', id = `i${instances.length + 1}`): Promise<Instance> {
    const pool = new Pool({ connectionString: db.url, max: 2 });
    pool.on('error', () => undefined);
    const store = new KillableLeaseStore(await PostgresLeaseStore.open(pool));
    const keeper = new LeaseKeeper(store, name, id, { ttlMs: TTL, renewEveryMs: RENEW, log: () => undefined });
    const made = { pool, store, keeper };
    instances.push(made);
    return made;
  }

  const run = (i: Instance) => i.keeper.run(recorder.listener(() => i.keeper.holder));
  const holderNow = () => instances.filter((i) => i.keeper.held());

  it.each([2, 3])('with %i competing instances, exactly one holds it; a standby takes over within ttl + renew after a clean stop', async (n) => {
    const fleet = await Promise.all(Array.from({ length: n }, () => instance()));
    fleet.forEach(run);
    await until('a first holder', () => holderNow().length === 1, TTL + RENEW + SLACK);
    // Held for many renewals: nobody else ever gets it while the holder renews.
    for (let k = 0; k < 10; k++) {
      await sleep(RENEW / 2);
      expect(holderNow().length).toBeLessThanOrEqual(1);
    }
    const first = holderNow()[0];
    expect(recorder.tenures.map((t) => t.holder)).toEqual([first.keeper.holder]);
    // A clean stop releases: another instance takes it, with a higher term.
    await first.keeper.stop();
    await until('a second holder', () => holderNow().length === 1, RENEW + SLACK);
    const second = holderNow()[0];
    expect(second).not.toBe(first);
    expect(recorder.tenures.map((t) => t.term)).toEqual([1, 2]);
    expect(recorder.overlaps()).toEqual([]);
  });

  it('a killed holder (no renewal, no release) stops acting before the server-side expiry; another takes over within ttl + renew with a higher term', async () => {
    const [a, b] = [await instance(), await instance()];
    run(a);
    await until('a holds', () => a.keeper.held() !== undefined, TTL + SLACK);
    run(b);
    await sleep(2 * RENEW);
    expect(b.keeper.held()).toBeUndefined();
    const killedAt = performance.now();
    a.store.kill();
    await until('b takes over', () => b.keeper.held() !== undefined, TTL + RENEW + SLACK);
    expect(performance.now() - killedAt).toBeLessThan(TTL + RENEW + SLACK);
    const [tenureA, tenureB] = recorder.tenures;
    expect(tenureA.holder).toBe(a.keeper.holder);
    expect(tenureA.to).toBeDefined();
    expect(tenureB).toMatchObject({ holder: b.keeper.holder, term: tenureA.term + 1 });
    expect(recorder.overlaps()).toEqual([]);
  });

  it('a holder whose pool ended stops acting before its row expires on the server', async () => {
    const a = await instance();
    run(a);
    await until('a holds', () => a.keeper.held() !== undefined, TTL + SLACK);
    await a.pool.end();
    await until('a stops', () => recorder.tenures[0]?.to !== undefined, TTL + SLACK);
    const stoppedAt = recorder.tenures[0].stoppedAtWallMs!;
    const row = await db.pool.query<{ expires_ms: string }>("SELECT (extract(epoch FROM expires_at) * 1000)::bigint AS expires_ms FROM leases WHERE name = 'relay:kafka'");
    expect(stoppedAt).toBeLessThan(Number(row.rows[0].expires_ms));
  });

  it('a holder whose row is taken by force stops at its next renewal, and its fenced checkpoint save is refused', async () => {
    const a = await instance();
    const failures = new SqliteCheckpointStore(':memory:');
    const checkpoints = await PostgresCheckpointStore.open(a.pool, a.keeper, failures);
    run(a);
    await until('a holds', () => a.keeper.held() !== undefined, TTL + SLACK);
    await checkpoints.save('relay:kafka', positionFromString('5/5'));
    expect(await checkpoints.load('relay:kafka')).toEqual(positionFromString('5/5'));
    await db.pool.query("UPDATE leases SET holder = 'intruder', term = term + 1, expires_at = now() + interval '1 minute' WHERE name = 'relay:kafka'");
    // Before the keeper notices, the store itself refuses: the row no longer names this holder and term.
    const refused = await checkpoints.save('relay:kafka', positionFromString('9/9')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(FencedCheckpointError);
    await until('a stops', () => recorder.tenures[0]?.to !== undefined, RENEW + SLACK);
    expect(a.keeper.held()).toBeUndefined();
    await expect(checkpoints.save('relay:kafka', positionFromString('9/9'))).rejects.toBeInstanceOf(FencedCheckpointError);
    expect(await checkpoints.load('relay:kafka')).toEqual(positionFromString('5/5'));
    failures.close();
  });

  it('a deposed holder cannot move the shared checkpoint after a takeover, the new holder can', async () => {
    const [a, b] = [await instance(), await instance()];
    const failures = new SqliteCheckpointStore(':memory:');
    const checkpointsA = await PostgresCheckpointStore.open(a.pool, a.keeper, failures);
    const checkpointsB = await PostgresCheckpointStore.open(b.pool, b.keeper, failures);
    run(a);
    await until('a holds', () => a.keeper.held() !== undefined, TTL + SLACK);
    await checkpointsA.save('relay:kafka', positionFromString('3/3'));
    const deposed = a.keeper.held()!;
    a.store.kill();
    run(b);
    await until('b takes over', () => b.keeper.held() !== undefined, TTL + RENEW + SLACK);
    expect(b.keeper.held()!.term).toBeGreaterThan(deposed.term);
    expect(await checkpointsB.load('relay:kafka')).toEqual(positionFromString('3/3'));
    // The deposed holder's write with its old tenure, straight through the pool as a zombie would.
    const zombie = await PostgresCheckpointStore.open(a.pool, { name: 'relay:kafka', held: () => deposed, run: () => undefined, stop: async () => undefined }, failures);
    await expect(zombie.save('relay:kafka', positionFromString('8/8'))).rejects.toBeInstanceOf(FencedCheckpointError);
    expect(await checkpointsB.load('relay:kafka')).toEqual(positionFromString('3/3'));
    await checkpointsB.save('relay:kafka', positionFromString('4/4'));
    expect(await checkpointsB.load('relay:kafka')).toEqual(positionFromString('4/4'));
    expect(await checkpointsB.load('other')).toBeUndefined();
    failures.close();
  });

  it('under generated schedules of starts, clean stops, kills and revivals of three instances, no two holders ever overlap and terms grow with every new holder', async () => {
    type Step = { readonly who: number; readonly action: 'start' | 'stop' | 'kill' | 'revive'; readonly waitMs: number };
    const step = fc.record({
      who: fc.integer({ min: 0, max: 2 }),
      action: fc.constantFrom<Step['action']>('start', 'stop', 'kill', 'revive'),
      waitMs: fc.integer({ min: 0, max: TTL + RENEW }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 8 }), async (steps) => {
        await db.pool.query('DELETE FROM leases');
        for (const i of instances.splice(0)) {
          i.store.revive();
          await i.keeper.stop();
          await i.pool.end().catch(() => undefined);
        }
        recorder = new LeaseRecorder();
        const fleet = await Promise.all([0, 1, 2].map(() => instance('schedule')));
        const running = new Set<number>();
        for (const { who, action, waitMs } of steps) {
          const member = fleet[who];
          if (action === 'start' && !running.has(who)) {
            running.add(who);
            run(member);
          } else if (action === 'stop' && running.has(who)) {
            running.delete(who);
            member.store.revive();
            await member.keeper.stop();
          } else if (action === 'kill') member.store.kill();
          else if (action === 'revive') member.store.revive();
          await sleep(waitMs);
          expect(holderNow().length).toBeLessThanOrEqual(1);
        }
        expect(recorder.overlaps()).toEqual([]);
        const terms = recorder.tenures.map((t) => t.term);
        for (let k = 1; k < terms.length; k++) {
          if (recorder.tenures[k].holder !== recorder.tenures[k - 1].holder) expect(terms[k]).toBeGreaterThan(terms[k - 1]);
          else expect(terms[k]).toBeGreaterThanOrEqual(terms[k - 1]);
        }
      }),
      { numRuns: 8 },
    );
  });
});
