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
