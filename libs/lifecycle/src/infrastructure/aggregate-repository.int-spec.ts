import { type DomainEvent } from '@lead-lifecycle/domain';
import { SqliteEventStore } from '@lead-lifecycle/eventing';
import { AggregateRepository } from './aggregate-repository';
import { type CommandContext } from './command-context';

type Counted = DomainEvent<'Counted', { by: number; occurredAt: string }>;
const context: CommandContext = { tenantId: 't', actor: 'test', correlationId: 'c', causationId: 'c' };
const count = (by: number) => (): Counted[] => [{ type: 'Counted', data: { by, occurredAt: '2026-03-01T00:00:00.000Z' } }];

describe('AggregateRepository metrics', () => {
  it('counts the commands its cache served and the stream reads, with the events they folded', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const definition = {
      initialState: 0,
      evolve: (total: number, event: Counted) => total + event.data.by,
      decode: (stored: { type: string; data: Record<string, unknown> }): Counted => ({ type: 'Counted', data: { by: Number(stored.data.by), occurredAt: String(stored.data.occurredAt) } }),
    };
    const writer = new AggregateRepository(store, definition);
    for (let i = 0; i < 3; i++) await writer.handle('counter-1', count(1), context);
    // The first command read the (empty) stream; the next two were decided on the state it kept.
    expect(writer.metrics()).toEqual({ cacheHits: 2, loads: 1, eventsFolded: 0, cachedStreams: 1 });

    // Another repository on the same store has nothing cached: it reads and folds the three events.
    const reader = new AggregateRepository(store, definition, { cachedStreams: 0 });
    const done = await reader.handle('counter-1', count(2), context);
    expect(done.state).toBe(5);
    expect(reader.metrics()).toEqual({ cacheHits: 0, loads: 1, eventsFolded: 3, cachedStreams: 0 });

    writer.resetMetrics();
    expect(writer.metrics()).toEqual({ cacheHits: 0, loads: 0, eventsFolded: 0, cachedStreams: 1 });
    await store.close();
  });
});

describe('AggregateRepository with several writers (a fleet)', () => {
  const definition = {
    initialState: 0,
    evolve: (total: number, event: Counted) => total + event.data.by,
    decode: (stored: { type: string; data: Record<string, unknown> }): Counted => ({ type: 'Counted', data: { by: Number(stored.data.by), occurredAt: String(stored.data.occurredAt) } }),
  };
  /** A command allowed only from a total of at least 3 (as a promotion to SQL needs an MQL). */
  const doubleFromThree = (total: number): Counted[] => {
    if (total < 3) throw new Error(`refused at ${total}`);
    return count(total)();
  };
  /** A command that does nothing once the total is 3 or more (as assigning the same owner again). */
  const topUpToThree = (total: number): Counted[] => (total >= 3 ? [] : count(3 - total)());

  it('decides a refusal again on the stream as stored when another writer moved it after this one remembered it', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const a = new AggregateRepository(store, definition);
    const b = new AggregateRepository(store, definition);
    await a.handle('counter-1', count(1), context); // A remembers total 1
    await b.handle('counter-1', count(2), context); // B moves the stream to 3
    // On A's remembered state (1) the command is refused; on the stream as stored (3) it is allowed.
    const done = await a.handle('counter-1', doubleFromThree, context);
    expect(done.state).toBe(6);
    expect(done.appended).toHaveLength(1);
    // A refusal true of the stream as stored is still a refusal.
    const c = new AggregateRepository(store, definition);
    await c.handle('counter-2', count(1), context);
    await expect(c.handle('counter-2', doubleFromThree, context)).rejects.toThrow('refused at 1');
    await expect(c.dryRun('counter-2', doubleFromThree, context)).rejects.toThrow('refused at 1');
    await store.close();
  });

  it('decides a no-op and a dry run again on the stream as stored', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const a = new AggregateRepository(store, definition);
    const b = new AggregateRepository(store, definition);
    await a.handle('counter-1', count(3), context); // A remembers 3: topping up is a no-op for it
    await b.handle('counter-1', count(-2), context); // B moves the stream down to 1
    const done = await a.handle('counter-1', topUpToThree, context);
    expect(done.appended).toHaveLength(1);
    expect(done.state).toBe(3);
    // B remembered 1; A has moved the stream to 3 since: B's dry run of a command allowed from 3 answers its event.
    expect(await b.dryRun('counter-1', doubleFromThree, context)).toHaveLength(1);
    await store.close();
  });
});
