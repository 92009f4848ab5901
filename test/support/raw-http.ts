import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';

/** A request exactly as given: no header is added but Host, Connection and Content-Length or Transfer-Encoding. */
export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent with its Content-Length. */
  readonly body?: string | Buffer;
  /** Sent chunked, without a Content-Length. */
  readonly chunks?: ReadonlyArray<string | Buffer>;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

/**
 * An HTTP client that sends hostile requests as they are (supertest would set a Content-Type, serialise
 * objects and listen anew per request); keep-alive, at most `maxSockets` requests in flight.
 */
export class RawHttpClient {
  private readonly agent: Agent;

  private constructor(
    private readonly port: number,
    maxSockets: number,
    private readonly defaultHeaders: Readonly<Record<string, string>>,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /**
   * Makes the (initialised) app listen on a free local port and returns a client for it. `defaultHeaders`
   * (a credential) go on every request that does not set the same header (any case) itself.
   */
  static async listen(app: INestApplication, maxSockets = 16, defaultHeaders: Readonly<Record<string, string>> = {}): Promise<RawHttpClient> {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as AddressInfo;
    return new RawHttpClient(address.port, maxSockets, defaultHeaders);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  send(r: RawRequest): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const own = new Set(Object.keys(r.headers ?? {}).map((name) => name.toLowerCase()));
      const defaults = Object.entries(this.defaultHeaders).filter(([name]) => !own.has(name.toLowerCase()));
      const headers: Record<string, string | number> = { ...Object.fromEntries(defaults), ...r.headers };
      if (r.body !== undefined) headers['Content-Length'] = Buffer.byteLength(r.body);
      // Said outright: for GET, DELETE and OPTIONS Node's client would otherwise write the chunks unframed.
      if (r.chunks) headers['Transfer-Encoding'] = 'chunked';
      const req = request({ host: '127.0.0.1', port: this.port, method: r.method, path: r.path, headers, agent: this.agent }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      // The server may answer (415, 413) before it has read the whole body; the answer still arrives.
      req.on('error', reject);
      if (r.chunks) for (const chunk of r.chunks) req.write(chunk);
      req.end(r.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
