/**
 * EventStoreDB protocol test server: a TEST DOUBLE OF THE gRPC PROTOCOL, NOT A DATABASE.
 *
 * An in-process @grpc/grpc-js server speaking the part of EventStoreDB's gRPC protocol that
 * @eventstore/db-client 6.2.1 uses for appends, reads and catch-up subscriptions. It is built from
 * the service definitions and google-protobuf message classes generated inside the client package
 * (node_modules/@eventstore/db-client/generated), so the wire format is exactly the client's.
 * Plain h2c (tls=false) on 127.0.0.1; data lives in memory (see in-memory-log.ts) and survives
 * stop()/start() and dropConnections(), which restart the gRPC server on the same port.
 *
 * Reproduced (modelled on the EventStoreDB 22.x-24.x server sources, Transport/Grpc/*):
 *  - ServerFeatures.GetSupportedMethods with a server version and the Streams methods; whether
 *    BatchAppend is advertised is configurable (the client picks BatchAppend or unary Append from it).
 *    BatchAppend is answered UNIMPLEMENTED when not advertised, like a 20.10 server.
 *  - Streams.Append (client streaming: options, then proposed messages): expected revision any /
 *    no_stream / stream_exists / exact with the server's commit check, AppendResp.WrongExpectedVersion
 *    with both the 20.6.0 and the current fields; idempotency by event id (events already at the
 *    following revisions, or found by id for any/stream_exists, give success with the original
 *    revision and position; a partial match is a wrong expected version); missing `type` /
 *    `content-type` and the maximum append size (1 MiB default) as INVALID_ARGUMENT with the
 *    `exception` trailers the client decodes; a malformed event UUID fails the call with
 *    UNKNOWN "Exception was thrown by handler." (what ASP.NET gRPC returns for Guid.Parse failing).
 *  - Streams.BatchAppend (bidi): requests correlated by id, split requests (is_final), per-request
 *    google.rpc.Status errors with the packed details the client unpacks
 *    (event_store.client.WrongExpectedVersion with code ALREADY_EXISTS, MaximumAppendSizeExceeded,
 *    BadRequest for a malformed UUID, Timeout for an expired deadline), stream_identifier always set.
 *  - Streams.Read: stream reads forwards/backwards from start/end/a revision (inclusive) with a
 *    count, StreamNotFound; $all reads forwards (inclusive) / backwards (exclusive) from start, end
 *    or a commit/prepare position, optionally filtered; UUIDs as string or structured as requested;
 *    `type`, `content-type` and `created` (.NET ticks) metadata; commit/prepare positions on every
 *    event, also on stream reads (the 22.6+ behaviour).
 *  - Catch-up subscriptions to a stream (after a revision, start or end) and to $all (after a
 *    position, start or end): confirmation first, then history, then the caught-up message
 *    (ReadResp.caught_up, sent by 23.10+ servers and understood by this client version; can be
 *    switched off), then live events pushed as they are appended. Server-side filters on stream name
 *    or event type, by prefixes or regex (e.g. excludeSystemEvents = type regex ^[^$].*), with
 *    checkpoint messages every checkpointIntervalMultiplier x window (window = max, or 32 with the
 *    `count` window) considered events, during catch-up and live.
 *  - Connection loss: stop() (port closed, clients get UNAVAILABLE), start() (same port, same
 *    data), dropConnections() (both at once: every open call, subscriptions included, is cut).
 *  - An HTTP/2 max-concurrent-streams limit (default 100, Kestrel's default).
 *  - Some system events ($settings, $users, $user-admin) at the start of $all so that filters and
 *    system-event handling are exercised; more via appendSystemEvent().
 *
 * Not reproduced: persistence, clustering, gossip (not called for a single-node esdb:// string),
 * TLS and authentication/ACLs (credentials are ignored), stream deletion/tombstones/metadata/$maxAge
 * (Delete/Tombstone are UNIMPLEMENTED), link events and resolveLinkTos, projections and the
 * system streams they write, persistent subscriptions, explicit transactions (commit != prepare),
 * the bounded event-id cache of the real server (idempotency here remembers every id), the
 * real server's quirk of skipping the first event at-or-after a subscription start position that is
 * not an event's exact position (this server starts strictly after the given position), "fell
 * behind"/too-slow subscription drops, leader redirection, server-side write timeouts, and
 * realistic byte positions (sizes are approximate).
 *
 * Fault injection (test-only, not server behaviour): `faults.abortBatchAppendCall` fails the whole
 * BatchAppend call, as a connection drop or a leader change does on a real node, to exercise the
 * client's handling of a call-level error on its shared BatchAppend stream.
 */
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import {
  type AppendReq,
  AppendResp,
  type BatchAppendReq,
  BatchAppendResp,
  ReadReq,
  ReadResp,
} from '@eventstore/db-client/generated/streams_pb';
import {
  AllStreamPosition,
  BadRequest,
  Empty as SharedEmpty,
  MaximumAppendSizeExceeded,
  StreamIdentifier,
  Timeout,
  UUID,
  WrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as GoogleEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { type EventFilter, type ExpectedVersion, filterMatches, InMemoryLog, type LogRecord, type ProposedEvent, type ReadFrom } from './in-memory-log';

export interface EsdbProtocolServerOptions {
  /** Advertise Streams.BatchAppend in the server features (the client then appends through it). Default true, as 21.10+. */
  readonly advertiseBatchAppend?: boolean;
  /** Version reported by GetSupportedMethods. Default '24.10.0'. */
  readonly serverVersion?: string;
  /** Answer GetSupportedMethods (true, default) or UNIMPLEMENTED like a 20.6 server. */
  readonly serverFeatures?: boolean;
  /** Send ReadResp.caught_up when a subscription reaches the end of history. Default true (23.10+). */
  readonly sendCaughtUp?: boolean;
  /** Write a few system events ($settings, $users, $user-admin) first. Default true. */
  readonly seedSystemEvents?: boolean;
  /** Maximum size of one append, in bytes. Default 1 MiB, the server default. */
  readonly maxAppendSize?: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS. Default 100 (Kestrel's default). */
  readonly maxConcurrentStreams?: number;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
}

export interface SubscriptionRequest {
  readonly kind: 'stream' | 'all';
  readonly stream?: string;
  readonly from: ReadFrom;
  readonly filter?: EventFilter;
  readonly checkpointInterval?: number;
  readonly at: Date;
}

export interface ServerStats {
  serverFeatures: number;
  appendCalls: number;
  /** Unary Append calls open right now, and the most ever open at once. */
  appendCallsInFlight: number;
  maxAppendCallsInFlight: number;
  batchAppendCalls: number;
  batchAppendRequests: number;
  reads: number;
  subscriptions: number;
}

export interface ServerFaults {
  /** Fail the whole BatchAppend call (every correlation in flight on it) when a request for a matching stream arrives. */
  abortBatchAppendCall?: (streamId: string) => boolean;
  /** Status used by abortBatchAppendCall; default UNAVAILABLE. */
  abortStatus?: { code: grpc.status; details: string };
  /** Hold every BatchAppend response back this long (a slow server), so that appends are in flight together. */
  batchAppendResponseDelayMs?: number;
  /** Hold every unary Append response back this long. */
  appendResponseDelayMs?: number;
}

const DEFAULT_WINDOW = 32; // Enumerators.ReadBatchSize
const METHODS = {
  streams: 'event_store.client.streams.streams',
  features: 'event_store.client.server_features.serverfeatures',
};

type ReadCall = grpc.ServerWritableStream<ReadReq, ReadResp>;
type AppendCall = grpc.ServerReadableStream<AppendReq, AppendResp>;
type BatchCall = grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>;

class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
    readonly trailers: Record<string, string> = {},
  ) {
    super(details);
  }

  toServiceError(): Partial<grpc.StatusObject> & { code: grpc.status; details: string } {
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(this.trailers)) metadata.set(k, v);
    return { code: this.code, details: this.details, metadata };
  }
}

const handlerException = () => new RpcError(grpc.status.UNKNOWN, 'Exception was thrown by handler.');

export class EsdbProtocolServer {
  readonly log: InMemoryLog;
  readonly stats: ServerStats = { serverFeatures: 0, appendCalls: 0, appendCallsInFlight: 0, maxAppendCallsInFlight: 0, batchAppendCalls: 0, batchAppendRequests: 0, reads: 0, subscriptions: 0 };
  readonly subscriptionRequests: SubscriptionRequest[] = [];
  readonly faults: ServerFaults = {};
  advertiseBatchAppend: boolean;
  sendCaughtUp: boolean;

  private server: grpc.Server | undefined;
  private boundPort = 0;
  private readonly host: string;
  private readonly options: EsdbProtocolServerOptions;
  private readonly liveCalls = new Set<{ kill(): void }>();

  private constructor(options: EsdbProtocolServerOptions) {
    this.options = options;
    this.host = options.host ?? '127.0.0.1';
    this.boundPort = options.port ?? 0;
    this.advertiseBatchAppend = options.advertiseBatchAppend ?? true;
    this.sendCaughtUp = options.sendCaughtUp ?? true;
    this.log = new InMemoryLog();
    if (options.seedSystemEvents ?? true) {
      this.appendSystemEvent('$settings', '$settings', { $userStreamAcl: { $r: '$all' } });
      this.appendSystemEvent('$users', '$User', { loginName: 'admin' });
      this.appendSystemEvent('$user-admin', '$UserCreated', { loginName: 'admin', fullName: 'Event Store Administrator' });
    }
  }

  static async start(options: EsdbProtocolServerOptions = {}): Promise<EsdbProtocolServer> {
    const server = new EsdbProtocolServer(options);
    await server.start();
    return server;
  }

  get port(): number {
    return this.boundPort;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  get connectionString(): string {
    return `esdb://${this.host}:${this.boundPort}?tls=false`;
  }

  /** Binds (again) on the same port; the in-memory data is kept. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = new grpc.Server({
      'grpc.max_concurrent_streams': this.options.maxConcurrentStreams ?? 100,
      'grpc.max_receive_message_length': 17 * 1024 * 1024,
    });
    server.addService(ServerFeaturesService, {
      getSupportedMethods: (call: grpc.ServerUnaryCall<SharedEmpty, SupportedMethods>, cb: grpc.sendUnaryData<SupportedMethods>) =>
        this.getSupportedMethods(call, cb),
    });
    server.addService(StreamsService, {
      read: (call: ReadCall) => this.read(call),
      append: (call: AppendCall, cb: grpc.sendUnaryData<AppendResp>) => this.append(call, cb),
      batchAppend: (call: BatchCall) => this.batchAppend(call),
      delete: (_call: unknown, cb: grpc.sendUnaryData<unknown>) =>
        cb({ code: grpc.status.UNIMPLEMENTED, details: 'Delete is not implemented by the protocol test server' }),
      tombstone: (_call: unknown, cb: grpc.sendUnaryData<unknown>) =>
        cb({ code: grpc.status.UNIMPLEMENTED, details: 'Tombstone is not implemented by the protocol test server' }),
    });
    const address = `${this.host}:${this.boundPort}`;
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < 40; attempt++) {
      try {
        this.boundPort = await new Promise<number>((resolve, reject) =>
          server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
        );
        this.server = server;
        return;
      } catch (error) {
        lastError = error as Error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`protocol test server could not bind ${address}: ${lastError?.message}`);
  }

  /** Closes the port and cuts every open call (clients see UNAVAILABLE / CANCELLED). Data is kept. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const call of [...this.liveCalls]) call.kill();
    this.liveCalls.clear();
    if (server) {
      server.forceShutdown();
      // Let clients see their connections close before the caller goes on.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Cuts every connection and open call, then listens again on the same port right away. */
  async dropConnections(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Appends to a stream directly (for instance a `$`-prefixed system stream), bypassing gRPC. */
  appendSystemEvent(streamId: string, type: string, data: unknown, metadata?: unknown): void {
    this.log.append(streamId, { kind: 'any' }, [
      {
        eventId: randomUUID(),
        type,
        contentType: 'application/json',
        data: Buffer.from(JSON.stringify(data)),
        customMetadata: metadata === undefined ? new Uint8Array() : Buffer.from(JSON.stringify(metadata)),
      },
    ]);
  }

  // ---------------------------------------------------------------- server features

  private getSupportedMethods(_call: unknown, cb: grpc.sendUnaryData<SupportedMethods>): void {
    this.stats.serverFeatures++;
    if (this.options.serverFeatures === false) {
      cb({ code: grpc.status.UNIMPLEMENTED, details: 'Method is unimplemented.' });
      return;
    }
    const methods = new SupportedMethods();
    methods.setEventStoreServerVersion(this.options.serverVersion ?? '24.10.0');
    const add = (service: string, method: string, features: string[] = []) => {
      const m = new SupportedMethod();
      m.setServiceName(service);
      m.setMethodName(method);
      m.setFeaturesList(features);
      methods.addMethods(m);
    };
    add(METHODS.features, 'getsupportedmethods');
    add(METHODS.streams, 'read', ['position', 'events']);
    add(METHODS.streams, 'append');
    add(METHODS.streams, 'delete');
    add(METHODS.streams, 'tombstone');
    if (this.advertiseBatchAppend) add(METHODS.streams, 'batchappend', ['deadline_duration']);
    cb(null, methods);
  }

  // ---------------------------------------------------------------- append

  private append(call: AppendCall, callback: grpc.sendUnaryData<AppendResp>): void {
    this.stats.appendCalls++;
    this.stats.maxAppendCallsInFlight = Math.max(this.stats.maxAppendCallsInFlight, ++this.stats.appendCallsInFlight);
    let finished = false;
    const cb: grpc.sendUnaryData<AppendResp> = (error, value) => {
      if (!finished) {
        finished = true;
        this.stats.appendCallsInFlight--;
      }
      callback(error, value);
    };
    call.on('cancelled', () => {
      if (!finished) {
        finished = true;
        this.stats.appendCallsInFlight--;
      }
    });
    let options: AppendReq.Options | undefined;
    const events: ProposedEvent[] = [];
    let size = 0;
    let done = false;
    const fail = (error: RpcError) => {
      if (done) return;
      done = true;
      cb(error.toServiceError());
    };
    call.on('data', (req: AppendReq) => {
      if (done) return;
      try {
        if (!options) {
          if (!req.hasOptions()) throw handlerException();
          options = req.getOptions();
          return;
        }
        if (!req.hasProposedMessage()) throw handlerException();
        const message = req.getProposedMessage()!;
        const event = this.proposedEvent(message.getMetadataMap(), message.getId(), message.getData_asU8(), message.getCustomMetadata_asU8());
        size += sizeOnDisk(event);
        if (size > this.maxAppendSize) {
          throw new RpcError(grpc.status.INVALID_ARGUMENT, `Maximum Append Size of ${this.maxAppendSize} Exceeded.`, {
            exception: 'maximum-append-size-exceeded',
            'maximum-append-size': String(this.maxAppendSize),
          });
        }
        events.push(event);
      } catch (error) {
        fail(error instanceof RpcError ? error : handlerException());
      }
    });
    call.on('error', () => {
      done = true;
    });
    call.on('end', () => {
      if (done) return;
      if (!options) return fail(handlerException());
      done = true;
      const streamId = streamName(options.getStreamIdentifier());
      const expected = appendExpected(options);
      const outcome = this.log.append(streamId, expected, events);
      const resp = new AppendResp();
      if (outcome.ok) {
        const success = new AppendResp.Success();
        if (outcome.currentRevision < 0n) success.setNoStream(new SharedEmpty());
        else success.setCurrentRevision(outcome.currentRevision.toString());
        if (outcome.position === undefined) success.setNoPosition(new SharedEmpty());
        else {
          const position = new AppendResp.Position();
          position.setCommitPosition(outcome.position.toString());
          position.setPreparePosition(outcome.position.toString());
          success.setPosition(position);
        }
        resp.setSuccess(success);
      } else {
        const wrong = new AppendResp.WrongExpectedVersion();
        if (outcome.currentRevision < 0n) {
          wrong.setCurrentNoStream(new SharedEmpty());
          wrong.setNoStream2060(new SharedEmpty());
        } else {
          wrong.setCurrentRevision(outcome.currentRevision.toString());
          wrong.setCurrentRevision2060(Number(outcome.currentRevision));
        }
        switch (expected.kind) {
          case 'any':
            wrong.setExpectedAny(new SharedEmpty());
            wrong.setAny2060(new SharedEmpty());
            break;
          case 'stream_exists':
            wrong.setExpectedStreamExists(new SharedEmpty());
            wrong.setStreamExists2060(new SharedEmpty());
            break;
          case 'no_stream':
            wrong.setExpectedNoStream(new SharedEmpty());
            break;
          case 'exact':
            wrong.setExpectedRevision(expected.revision.toString());
            wrong.setExpectedRevision2060(Number(expected.revision));
            break;
        }
        resp.setWrongExpectedVersion(wrong);
      }
      const delay = this.faults.appendResponseDelayMs;
      if (delay) setTimeout(() => cb(null, resp), delay);
      else cb(null, resp);
    });
  }

  private get maxAppendSize(): number {
    return this.options.maxAppendSize ?? 1024 * 1024;
  }

  private proposedEvent(
    metadata: { get(key: string): string | undefined },
    id: UUID | undefined,
    data: Uint8Array,
    customMetadata: Uint8Array,
  ): ProposedEvent {
    const type = metadata.get('type');
    if (type === undefined) throw missingMetadata('type');
    const contentType = metadata.get('content-type');
    if (contentType === undefined) throw missingMetadata('content-type');
    const eventId = uuidFromDto(id);
    if (!eventId) throw handlerException();
    return { eventId, type, contentType, data, customMetadata };
  }

  // ---------------------------------------------------------------- batch append

  private batchAppend(call: BatchCall): void {
    this.stats.batchAppendCalls++;
    if (!this.advertiseBatchAppend) {
      call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'Method is unimplemented.' });
      return;
    }
    interface Pending {
      streamId: string;
      identifier: StreamIdentifier;
      expected: ExpectedVersion;
      events: ProposedEvent[];
      size: number;
    }
    const pending = new Map<string, Pending>();
    let ended = false;
    let clientDone = false;
    let outstanding = 0;
    const live = {
      kill: () => {
        ended = true;
      },
    };
    this.liveCalls.add(live);
    const finishIfIdle = () => {
      if (clientDone && outstanding === 0 && !ended) {
        ended = true;
        this.liveCalls.delete(live);
        call.end();
      }
    };
    // Like the real server, answers every request that was complete before the client half-closed.
    const respond = (resp: BatchAppendResp) => {
      outstanding++;
      const send = () => {
        outstanding--;
        if (!ended && !call.cancelled) call.write(resp);
        finishIfIdle();
      };
      const delay = this.faults.batchAppendResponseDelayMs;
      if (delay) setTimeout(send, delay);
      else send();
    };
    const errorResponse = (correlation: UUID | undefined, identifier: StreamIdentifier | undefined, status: Status) => {
      const resp = new BatchAppendResp();
      if (correlation) resp.setCorrelationId(correlation);
      if (identifier) resp.setStreamIdentifier(identifier);
      resp.setError(status);
      respond(resp);
    };
    call.on('data', (req: BatchAppendReq) => {
      if (ended) return;
      this.stats.batchAppendRequests++;
      const correlation = req.getCorrelationId();
      const key = uuidFromDto(correlation) ?? '';
      const options = req.getOptions();
      if (options) {
        const identifier = options.getStreamIdentifier();
        const streamId = streamName(identifier);
        if (this.faults.abortBatchAppendCall?.(streamId)) {
          ended = true;
          this.liveCalls.delete(live);
          call.emit('error', this.faults.abortStatus ?? { code: grpc.status.UNAVAILABLE, details: 'fault injected: BatchAppend call aborted' });
          return;
        }
        const deadline = options.getDeadline();
        if (deadline && deadline.toDate().getTime() <= Date.now()) {
          errorResponse(correlation, identifier, status(grpc.status.DEADLINE_EXCEEDED, 'Timeout', 'event_store.client.Timeout', new Timeout()));
          return;
        }
        if (!pending.has(key)) {
          pending.set(key, { streamId, identifier: identifier ?? new StreamIdentifier(), expected: batchExpected(options), events: [], size: 0 });
        }
      }
      const write = pending.get(key);
      if (!write) return;
      try {
        for (const message of req.getProposedMessagesList()) {
          const event = this.proposedEvent(message.getMetadataMap(), message.getId(), message.getData_asU8(), message.getCustomMetadata_asU8());
          write.size += sizeOnDisk(event);
          write.events.push(event);
        }
      } catch (error) {
        pending.delete(key);
        const message = error instanceof RpcError && error.code !== grpc.status.UNKNOWN ? error.details : 'Unrecognized Guid format.';
        const bad = new BadRequest();
        bad.setMessage(message);
        errorResponse(correlation, write.identifier, status(grpc.status.INVALID_ARGUMENT, 'BadRequest', 'event_store.client.BadRequest', bad));
        return;
      }
      if (write.size > this.maxAppendSize) {
        pending.delete(key);
        const detail = new MaximumAppendSizeExceeded();
        detail.setMaxappendsize(this.maxAppendSize);
        errorResponse(
          correlation,
          write.identifier,
          status(grpc.status.INVALID_ARGUMENT, 'MaximumAppendSizeExceeded', 'event_store.client.MaximumAppendSizeExceeded', detail),
        );
        return;
      }
      if (!req.getIsFinal()) return;
      pending.delete(key);
      const outcome = this.log.append(write.streamId, write.expected, write.events);
      const resp = new BatchAppendResp();
      if (correlation) resp.setCorrelationId(correlation);
      resp.setStreamIdentifier(write.identifier);
      if (outcome.ok) {
        const success = new BatchAppendResp.Success();
        if (outcome.currentRevision < 0n) success.setNoStream(new GoogleEmpty());
        else success.setCurrentRevision(outcome.currentRevision.toString());
        if (outcome.position === undefined) success.setNoPosition(new GoogleEmpty());
        else {
          const position = new AllStreamPosition();
          position.setCommitPosition(outcome.position.toString());
          position.setPreparePosition(outcome.position.toString());
          success.setPosition(position);
        }
        resp.setSuccess(success);
      } else {
        const detail = new WrongExpectedVersion();
        if (outcome.currentRevision < 0n) detail.setCurrentNoStream(new GoogleEmpty());
        else detail.setCurrentStreamRevision(outcome.currentRevision.toString());
        switch (write.expected.kind) {
          case 'any':
            detail.setExpectedAny(new GoogleEmpty());
            break;
          case 'stream_exists':
            detail.setExpectedStreamExists(new GoogleEmpty());
            break;
          case 'no_stream':
            detail.setExpectedNoStream(new GoogleEmpty());
            break;
          case 'exact':
            detail.setExpectedStreamPosition(write.expected.revision.toString());
            break;
        }
        resp.setError(status(grpc.status.ALREADY_EXISTS, 'WrongExpectedVersion', 'event_store.client.WrongExpectedVersion', detail));
      }
      respond(resp);
    });
    call.on('error', () => {
      ended = true;
      this.liveCalls.delete(live);
    });
    call.on('end', () => {
      clientDone = true;
      finishIfIdle();
    });
  }

  // ---------------------------------------------------------------- read

  private read(call: ReadCall): void {
    const options = call.request.getOptions();
    if (!options) {
      call.emit('error', handlerException().toServiceError());
      return;
    }
    const structuredIds = options.getUuidOption()?.hasStructured() ?? false;
    const filter = options.hasFilter() ? toFilter(options.getFilter()!) : undefined;
    const direction = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS ? 'backwards' : 'forwards';
    const toResp = (record: LogRecord) => readEvent(record, structuredIds);

    if (options.hasSubscription()) {
      this.stats.subscriptions++;
      if (direction === 'backwards') {
        call.emit('error', handlerException().toServiceError());
        return;
      }
      if (options.hasStream()) {
        if (filter) {
          call.emit('error', handlerException().toServiceError());
          return;
        }
        const stream = options.getStream()!;
        const streamId = streamName(stream.getStreamIdentifier());
        const from: ReadFrom = stream.hasRevision() ? BigInt(stream.getRevision()) : stream.hasEnd() ? 'end' : 'start';
        this.subscriptionRequests.push({ kind: 'stream', stream: streamId, from, at: new Date() });
        const after = from === 'start' ? -1n : from === 'end' ? this.log.currentRevision(streamId) : from;
        this.subscribe(call, toResp, 0, (r) => r.streamId === streamId && r.revision > after, undefined);
        return;
      }
      const all = options.getAll()!;
      const from = allFrom(all);
      const window = filter ? (options.getFilter()!.hasMax() ? options.getFilter()!.getMax() : DEFAULT_WINDOW) : 0;
      const checkpointInterval = filter ? Math.max(1, options.getFilter()!.getCheckpointintervalmultiplier()) * window : undefined;
      this.subscriptionRequests.push({ kind: 'all', from, filter, checkpointInterval, at: new Date() });
      let start: number;
      if (from === 'start') start = 0;
      else if (from === 'end') start = this.log.length;
      else {
        start = this.log.indexAtOrAfter(from);
        if (this.log.record(start)?.position === from) start++;
      }
      this.subscribe(call, toResp, start, (r) => filterMatches(filter, r), checkpointInterval);
      return;
    }

    this.stats.reads++;
    const count = options.hasCount() ? BigInt(options.getCount()) : BigInt(Number.MAX_SAFE_INTEGER);
    let records: LogRecord[];
    if (options.hasStream()) {
      const stream = options.getStream()!;
      const streamId = streamName(stream.getStreamIdentifier());
      const from: ReadFrom = stream.hasRevision() ? BigInt(stream.getRevision()) : stream.hasEnd() ? 'end' : 'start';
      const found = this.log.readStream(streamId, from, direction, count);
      if (!found) {
        const resp = new ReadResp();
        const notFound = new ReadResp.StreamNotFound();
        notFound.setStreamIdentifier(stream.getStreamIdentifier());
        resp.setStreamNotFound(notFound);
        void this.writeAll(call, [resp]);
        return;
      }
      records = found;
    } else {
      records = this.log.readAll(allFrom(options.getAll()!), direction, count, filter);
    }
    void this.writeAll(
      call,
      records.map((r) => {
        const resp = new ReadResp();
        resp.setEvent(toResp(r));
        return resp;
      }),
    );
  }

  private async writeAll(call: ReadCall, responses: ReadResp[]): Promise<void> {
    let dead = false;
    const live = { kill: () => (dead = true) };
    this.liveCalls.add(live);
    call.on('cancelled', () => (dead = true));
    try {
      for (const resp of responses) {
        if (dead || call.cancelled) return;
        if (!call.write(resp)) await drained(call, () => dead);
      }
      if (!dead && !call.cancelled) call.end();
    } finally {
      this.liveCalls.delete(live);
    }
  }

  private subscribe(
    call: ReadCall,
    toResp: (r: LogRecord) => ReadResp.ReadEvent,
    startIndex: number,
    matches: (r: LogRecord) => boolean,
    checkpointInterval: number | undefined,
  ): void {
    let dead = false;
    let wake: (() => void) | undefined;
    const live = {
      kill: () => {
        dead = true;
        wake?.();
      },
    };
    this.liveCalls.add(live);
    const unlisten = this.log.onAppended(() => wake?.());
    call.on('cancelled', live.kill);
    call.on('error', live.kill);
    const send = async (resp: ReadResp) => {
      if (dead || call.cancelled) return;
      if (!call.write(resp)) await drained(call, () => dead);
    };
    const pump = async () => {
      const confirmation = new ReadResp();
      const confirmed = new ReadResp.SubscriptionConfirmation();
      confirmed.setSubscriptionId(randomUUID());
      confirmation.setConfirmation(confirmed);
      await send(confirmation);
      let cursor = startIndex;
      let considered = 0;
      let caughtUp = false;
      while (!dead && !call.cancelled) {
        while (cursor < this.log.length && !dead) {
          const record = this.log.record(cursor++)!;
          if (matches(record)) {
            const resp = new ReadResp();
            resp.setEvent(toResp(record));
            await send(resp);
          }
          if (checkpointInterval !== undefined && ++considered >= checkpointInterval) {
            considered = 0;
            const resp = new ReadResp();
            const checkpoint = new ReadResp.Checkpoint();
            checkpoint.setCommitPosition(record.position.toString());
            checkpoint.setPreparePosition(record.position.toString());
            resp.setCheckpoint(checkpoint);
            await send(resp);
          }
        }
        if (!caughtUp && this.sendCaughtUp && !dead) {
          caughtUp = true;
          const resp = new ReadResp();
          resp.setCaughtUp(new ReadResp.CaughtUp());
          await send(resp);
        }
        if (cursor >= this.log.length && !dead) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
      }
    };
    pump()
      .catch(() => undefined)
      .finally(() => {
        unlisten();
        this.liveCalls.delete(live);
      });
  }
}

// ---------------------------------------------------------------- helpers

function drained(call: ReadCall, isDead: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (isDead()) return resolve();
    const done = () => {
      clearInterval(timer);
      call.off('drain', done);
      resolve();
    };
    const timer = setInterval(() => isDead() && done(), 100);
    call.once('drain', done);
  });
}

function missingMetadata(property: string): RpcError {
  return new RpcError(grpc.status.INVALID_ARGUMENT, `Required Metadata Property '${property}' is missing`, {
    exception: 'missing-required-metadata-property',
    'required-metadata-properties': property,
  });
}

function status(code: grpc.status, message: string, typeName: string, detail: { serializeBinary(): Uint8Array }): Status {
  const s = new Status();
  s.setCode(code as number);
  s.setMessage(message);
  const any = new Any();
  any.pack(detail.serializeBinary(), typeName);
  s.setDetails(any);
  return s;
}

function sizeOnDisk(event: ProposedEvent): number {
  return event.data.length + event.customMetadata.length + Buffer.byteLength(event.type) + 50;
}

function streamName(identifier: StreamIdentifier | undefined): string {
  return identifier ? Buffer.from(identifier.getStreamName_asU8()).toString('utf8') : '';
}

function appendExpected(options: AppendReq.Options): ExpectedVersion {
  if (options.hasRevision()) return { kind: 'exact', revision: BigInt(options.getRevision()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'any' };
}

function batchExpected(options: BatchAppendReq.Options): ExpectedVersion {
  if (options.hasStreamPosition()) return { kind: 'exact', revision: BigInt(options.getStreamPosition()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'any' };
}

function allFrom(all: ReadReq.Options.AllOptions): ReadFrom {
  if (all.hasPosition()) return BigInt(all.getPosition()!.getCommitPosition());
  if (all.hasEnd()) return 'end';
  return 'start';
}

function toFilter(options: ReadReq.Options.FilterOptions): EventFilter {
  const on = options.hasEventType() ? 'type' : 'stream';
  const expression = (on === 'type' ? options.getEventType() : options.getStreamIdentifier())!;
  const regex = expression.getRegex();
  return regex ? { on, regex } : { on, prefixes: expression.getPrefixList() };
}

const UUID_PATTERN = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Canonical lowercase UUID from the wire (string or structured), or undefined when malformed (Guid.Parse would throw). */
export function uuidFromDto(uuid: UUID | undefined): string | undefined {
  if (!uuid) return undefined;
  if (uuid.hasStructured()) {
    const s = uuid.getStructured()!;
    const hex =
      BigInt.asUintN(64, BigInt(s.getMostSignificantBits())).toString(16).padStart(16, '0') +
      BigInt.asUintN(64, BigInt(s.getLeastSignificantBits())).toString(16).padStart(16, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  let text = uuid.getString().trim();
  if (/^\{.*\}$|^\(.*\)$/.test(text)) text = text.slice(1, -1);
  if (!UUID_PATTERN.test(text)) return undefined;
  const hex = text.replace(/-/g, '').toLowerCase();
  if (hex.length !== 32 || (text.includes('-') && text.length !== 36)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function uuidToDto(id: string, structured: boolean): UUID {
  const uuid = new UUID();
  if (!structured) {
    uuid.setString(id);
    return uuid;
  }
  const hex = id.replace(/-/g, '');
  const s = new UUID.Structured();
  s.setMostSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)).toString());
  s.setLeastSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)).toString());
  uuid.setStructured(s);
  return uuid;
}

function readEvent(record: LogRecord, structuredIds: boolean): ReadResp.ReadEvent {
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(uuidToDto(record.eventId, structuredIds));
  const identifier = new StreamIdentifier();
  identifier.setStreamName(Buffer.from(record.streamId, 'utf8'));
  recorded.setStreamIdentifier(identifier);
  recorded.setStreamRevision(record.revision.toString());
  recorded.setCommitPosition(record.position.toString());
  recorded.setPreparePosition(record.position.toString());
  const metadata = recorded.getMetadataMap();
  metadata.set('type', record.type);
  metadata.set('created', record.created.toString());
  metadata.set('content-type', record.contentType);
  recorded.setData(record.data);
  recorded.setCustomMetadata(record.customMetadata);
  const event = new ReadResp.ReadEvent();
  event.setEvent(recorded);
  event.setCommitPosition(record.position.toString());
  return event;
}
