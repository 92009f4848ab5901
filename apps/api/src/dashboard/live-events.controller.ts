import { Controller, Headers, Inject, type MessageEvent, Sse } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Observable } from 'rxjs';
import { EVENT_STORE, type EventStore, type GlobalPosition, positionFromString, positionToString } from '@lead-lifecycle/eventing';
import { CurrentPrincipal, type Principal, Requires } from '@lead-lifecycle/identity';
import { toLiveEvent } from './live-event';

/** The streams whose events the Live page shows: the public contract's, not the identity reservations. */
const LIVE_STREAMS = ['lead-', 'opportunity-', 'team-'];
/** A comment line now and then, so that proxies and the browser keep a quiet stream open. */
const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events of the caller's tenant as the store appends them, in the store's global order.
 * `projection:status`, like the projection lag shown beside them: raw positions and every lead's activity
 * are for operators and auditors. Left out of the OpenAPI document: a stream that never ends is no
 * request/answer operation (README, Dashboard).
 */
@ApiExcludeController()
@Controller('v1/dashboard')
export class LiveEventsController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** From the event after `Last-Event-ID` (a position, as the browser resends it), else from now on. */
  @Sse('events')
  @Requires('projection:status')
  events(@CurrentPrincipal() principal: Principal, @Headers('last-event-id') lastEventId?: string): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let closed = false;
      let close: (() => Promise<void>) | undefined;
      // Every message carries the position followed so far as its id (Nest would number the others 1, 2, …),
      // so a client that reconnects with Last-Event-ID resumes exactly there.
      let last: string | undefined;
      const heartbeat = setInterval(() => last !== undefined && subscriber.next({ type: 'heartbeat', id: last, data: {} }), HEARTBEAT_MS);
      void (async () => {
        const after = startAfter(lastEventId) ?? (await this.store.headPosition());
        if (closed) return;
        const subscription = this.store.subscribeToAll({ after, streamPrefixes: LIVE_STREAMS, personalData: 'sealed' });
        close = () => subscription.close();
        last = positionToString(after);
        subscriber.next({ type: 'ready', id: last, data: { after: last } });
        for await (const event of subscription) {
          // The tenant comes from the credential: another tenant's events are never sent.
          if (event.metadata.tenantId !== principal.tenantId) continue;
          const live = toLiveEvent(event);
          last = live.position;
          subscriber.next({ type: 'event', id: last, data: live });
        }
      })().catch((error: unknown) => subscriber.error(error));
      return () => {
        closed = true;
        clearInterval(heartbeat);
        void close?.();
      };
    });
  }
}

function startAfter(lastEventId: string | undefined): GlobalPosition | undefined {
  if (!lastEventId) return undefined;
  try {
    return positionFromString(lastEventId);
  } catch {
    return undefined;
  }
}
