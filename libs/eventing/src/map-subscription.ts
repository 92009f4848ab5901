import type { StoredEvent, Subscription } from './event-store.port';

/** `subscription` with `map` applied to every event it delivers: for decorators that rewrite events on read. */
export function mapSubscription(subscription: Subscription, map: (event: StoredEvent) => StoredEvent | Promise<StoredEvent>): Subscription {
  return {
    close: () => subscription.close(),
    [Symbol.asyncIterator]: () => {
      const it = subscription[Symbol.asyncIterator]();
      return {
        next: async () => {
          const r = await it.next();
          return r.done ? r : { done: false, value: await map(r.value) };
        },
        return: async () => (it.return ? it.return() : { done: true, value: undefined }),
      };
    },
  };
}
