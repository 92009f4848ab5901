import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { positionToString } from '@lead-lifecycle/eventing';
import { API_ERROR_CODES } from '../../apps/api/src/http/api-error-code';
import { httpStatusName } from '../../apps/api/src/http/http-status-name';
import { RawHttpClient, type RawRequest, type RawResponse } from '../support/raw-http';
import { removeDataDir, startTestApp, type TestApp } from '../support/test-app';

const JSON_TYPE = { 'Content-Type': 'application/json' };
const validCapture = () => ({ contact: { email: `${randomUUID()}@edge.test` }, source: { channel: 'seo' } });
const nested = (levels: number) => '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);

/** Asserts the one error shape, with the code given, and returns the body. */
function expectError(res: RawResponse, status: number, code: string): Record<string, unknown> {
  expect({ status: res.status, code: (res.json as { code?: string })?.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json as Record<string, unknown>;
  expect(body).toMatchObject({ statusCode: status, error: httpStatusName(status), code, message: expect.any(String) });
  expect(body.error).toMatch(/^[A-Z][A-Z_]+$/);
  expect(API_ERROR_CODES).toContain(code);
  if (body.problems !== undefined) {
    expect(body.problems).toEqual(expect.arrayContaining([{ field: expect.any(String), reason: expect.any(String) }]));
  }
  return body;
}

describe('HTTP edge: body parsing, routing and the one error shape', () => {
  let t: TestApp;
  let http: RawHttpClient;
  let leadId: string;

  beforeAll(async () => {
    t = await startTestApp();
    http = await RawHttpClient.listen(t.app, 16, { Authorization: `Bearer ${await t.adminKey()}` });
    const created = await http.send({ method: 'POST', path: '/v1/leads', headers: JSON_TYPE, body: JSON.stringify(validCapture()) });
    expect(created.status).toBe(201);
    leadId = (created.json as { leadId: string }).leadId;
  });
  afterAll(async () => {
    http.close();
    await t.close();
    removeDataDir(t.dataDir);
  });

  /** Sends every request, checks each answer, and that the store's head did not move. */
  async function refused(cases: Array<[RawRequest, number, string]>): Promise<Array<Record<string, unknown>>> {
    const head = positionToString(await t.store.headPosition());
    const bodies: Array<Record<string, unknown>> = [];
    for (const [req, status, code] of cases) {
      const res = await http.send(req);
      try {
        bodies.push(expectError(res, status, code));
      } catch (error) {
        throw new Error(`${req.method} ${req.path} ${JSON.stringify(req.headers ?? {})}: ${(error as Error).message}\nanswer: ${res.status} ${res.text.slice(0, 300)}`);
      }
    }
    expect(positionToString(await t.store.headPosition())).toBe(head);
    return bodies;
  }

  const post = (body: string | Buffer, headers: Record<string, string> = JSON_TYPE, path = '/v1/leads'): RawRequest => ({ method: 'POST', path, headers, body });

  it('parses only application/json (UTF-8): forms, text, other charsets and parameters are 415', async () => {
    const json = JSON.stringify(validCapture());
    await refused([
      [post('contact[email]=a@b.co&source[channel]=seo', { 'Content-Type': 'application/x-www-form-urlencoded' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [post(json, { 'Content-Type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [post(json, { 'Content-Type': 'text/plain; charset=utf-8' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [post('--x\r\n\r\n{}\r\n--x--', { 'Content-Type': 'multipart/form-data; boundary=x' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [post(json, { 'Content-Type': 'application/merge-patch+json' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [post(json, {}), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [post(json, { 'Content-Type': 'json' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [post(json, { 'Content-Type': 'application/json; charset=latin1' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [post(Buffer.from(json, 'utf16le'), { 'Content-Type': 'application/json; charset=utf-16le' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [post(json, { 'Content-Type': 'application/json; charset=utf-8; profile=x' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [{ method: 'POST', path: '/v1/leads', headers: { 'Content-Type': 'text/plain' }, chunks: [json] }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [post(json, { 'Content-Type': 'text/plain' }, `/v1/leads/${leadId}/activities`), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ]);
  });

  it('accepts application/json with charset=utf-8 in any case, chunked too, and a body-less POST', async () => {
    for (const contentType of ['application/json', 'Application/JSON; charset=UTF-8', 'application/json;charset="utf-8"']) {
      const res = await http.send(post(JSON.stringify(validCapture()), { 'Content-Type': contentType }));
      expect([contentType, res.status]).toEqual([contentType, 201]);
    }
    const chunked = await http.send({ method: 'POST', path: '/v1/leads', headers: JSON_TYPE, chunks: ['{"contact":{"email":"', `${randomUUID()}@chunk.test"},`, '"source":{"channel":"email"}}'] });
    expect(chunked.status).toBe(201);
    const identity = await http.send(post(JSON.stringify(validCapture()), { ...JSON_TYPE, 'Content-Encoding': 'identity' }));
    expect(identity.status).toBe(201);
    // recycle has only optional fields: no body at all, or Content-Length 0 with any type, reaches the command.
    for (const extra of [{}, { headers: { 'Content-Type': 'text/plain' }, body: '' }]) {
      const lead = ((await http.send(post(JSON.stringify(validCapture())))).json as { leadId: string }).leadId;
      const res = await http.send({ method: 'POST', path: `/v1/leads/${lead}/recycle`, ...extra });
      expect([res.status, res.json]).toEqual([200, expect.objectContaining({ leadId: lead, events: ['LeadRecycled'] })]);
    }
  });

  it('refuses any Content-Encoding with 415, a gzip header on a plain body included', async () => {
    const json = JSON.stringify(validCapture());
    const bodies = await refused([
      [post(json, { ...JSON_TYPE, 'Content-Encoding': 'gzip' }), 415, 'UNSUPPORTED_CONTENT_ENCODING'],
      [post(gzipSync(json), { ...JSON_TYPE, 'Content-Encoding': 'gzip' }), 415, 'UNSUPPORTED_CONTENT_ENCODING'],
      [post(json, { ...JSON_TYPE, 'Content-Encoding': 'deflate' }), 415, 'UNSUPPORTED_CONTENT_ENCODING'],
      [post(json, { ...JSON_TYPE, 'Content-Encoding': 'br' }), 415, 'UNSUPPORTED_CONTENT_ENCODING'],
      [post(json, { ...JSON_TYPE, 'Content-Encoding': 'identity, gzip' }), 415, 'UNSUPPORTED_CONTENT_ENCODING'],
      [post(json, { ...JSON_TYPE, 'Content-Encoding': 'x-made-up' }), 415, 'UNSUPPORTED_CONTENT_ENCODING'],
      [{ method: 'POST', path: '/v1/leads', headers: { ...JSON_TYPE, 'Content-Encoding': 'gzip' }, chunks: [json] }, 415, 'UNSUPPORTED_CONTENT_ENCODING'],
    ]);
    expect(bodies[0].message).toMatch(/uncompressed/);
    const res = await http.send(post(json, { ...JSON_TYPE, 'Content-Encoding': 'gzip' }));
    expect(res.headers['accept-encoding']).toBe('identity');
  });

  it('answers 413 above the body limit (256 KiB by default), announced or chunked', async () => {
    const limit = 256 * 1024;
    const exactly = (size: number) => {
      const shell = '{"x":""}';
      return `{"x":"${'a'.repeat(size - shell.length)}"}`;
    };
    expect(Buffer.byteLength(exactly(limit))).toBe(limit);
    const bodies = await refused([
      [post(exactly(limit + 1)), 413, 'BODY_TOO_LARGE'],
      [post(exactly(5 * limit)), 413, 'BODY_TOO_LARGE'],
      [{ method: 'POST', path: '/v1/leads', headers: JSON_TYPE, chunks: [exactly(limit + 1)] }, 413, 'BODY_TOO_LARGE'],
      // At the limit the body is read, and refused for what it says.
      [post(exactly(limit)), 400, 'VALIDATION_FAILED'],
    ]);
    expect(bodies[0]).toMatchObject({ error: 'PAYLOAD_TOO_LARGE', message: `the body is larger than the limit of ${limit} bytes` });
  });

  it('answers 400 MALFORMED_JSON for what is not JSON or not UTF-8', async () => {
    await refused([
      [post('{"contact":'), 400, 'MALFORMED_JSON'],
      [post("{'contact':{}}"), 400, 'MALFORMED_JSON'],
      [post('{"source":{"channel":"seo","cost":NaN}}'), 400, 'MALFORMED_JSON'],
      [post('   '), 400, 'MALFORMED_JSON'],
      [post(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])), 400, 'MALFORMED_JSON'],
      [post('{"reason":', JSON_TYPE, `/v1/leads/${leadId}/forget`), 400, 'MALFORMED_JSON'],
    ]);
  });

  it('refuses JSON deeper than HTTP_JSON_MAX_DEPTH (32) with 400 JSON_TOO_DEEP, thousands of levels included', async () => {
    await refused([
      [post(nested(33)), 400, 'JSON_TOO_DEEP'],
      [post('['.repeat(50_000) + ']'.repeat(50_000)), 400, 'JSON_TOO_DEEP'],
      [post(`{"contact":{"email":"a@b.co"},"source":{"channel":"seo"},"attributes":${nested(40)}}`), 400, 'JSON_TOO_DEEP'],
      // 32 levels pass the parser; the DTO then refuses the unknown property.
      [post(nested(32)), 400, 'VALIDATION_FAILED'],
    ]);
  });

  it('refuses reserved keys (__proto__, constructor, prototype) anywhere, query included, naming the field', async () => {
    const bodies = await refused([
      [post('{"__proto__":{"admin":true},"contact":{"email":"a@b.co"},"source":{"channel":"seo"}}'), 400, 'VALIDATION_FAILED'],
      [post('{"contact":{"email":"a@b.co","\\u005f_proto__":{}},"source":{"channel":"seo"}}'), 400, 'VALIDATION_FAILED'],
      [post('{"contact":{"email":"a@b.co"},"source":{"channel":"seo"},"attributes":{"x":[{"constructor":{"prototype":{}}}]}}'), 400, 'VALIDATION_FAILED'],
      [{ method: 'GET', path: '/v1/leads?__proto__[x]=1' }, 400, 'VALIDATION_FAILED'],
      [{ method: 'GET', path: `/v1/leads/${leadId}?constructor=1` }, 400, 'VALIDATION_FAILED'],
    ]);
    expect(bodies.map((b) => (b.problems as Array<{ field: string }>)[0].field)).toEqual(['__proto__', 'contact.__proto__', 'attributes.x.0.constructor', '__proto__', 'constructor']);
  });

  it('refuses a body that is not an object, and numbers that overflow to Infinity', async () => {
    const bodies = await refused([
      [post('[{"contact":{}}]'), 400, 'VALIDATION_FAILED'],
      [post('"lead"'), 400, 'VALIDATION_FAILED'],
      [post('null'), 400, 'VALIDATION_FAILED'],
      [post('42'), 400, 'VALIDATION_FAILED'],
      [post('{"contact":{"email":"a@b.co"},"source":{"channel":"seo","cost":1e400}}'), 400, 'VALIDATION_FAILED'],
    ]);
    expect(bodies.map((b) => (b.problems as Array<{ field: string }>)[0].field)).toEqual(['body', 'body', 'body', 'body', 'source.cost']);
  });

  it('answers an unknown route with 404 ROUTE_NOT_FOUND, whatever its body', async () => {
    const bodies = await refused([
      [{ method: 'GET', path: '/v2/leads' }, 404, 'ROUTE_NOT_FOUND'],
      [{ method: 'POST', path: '/v1/lead', headers: { 'Content-Type': 'text/plain' }, body: 'x' }, 404, 'ROUTE_NOT_FOUND'],
      [{ method: 'POST', path: `/v1/leads/${leadId}/nothing`, headers: JSON_TYPE, body: '{' }, 404, 'ROUTE_NOT_FOUND'],
      [{ method: 'DELETE', path: '/nowhere?x=1' }, 404, 'ROUTE_NOT_FOUND'],
    ]);
    expect(bodies[0]).toEqual({ statusCode: 404, error: 'NOT_FOUND', code: 'ROUTE_NOT_FOUND', message: 'no route GET /v2/leads' });
  });

  it('answers a known path with a method it does not serve with 405 and an Allow header taken from the router', async () => {
    const cases: Array<[string, string, string]> = [
      ['DELETE', '/v1/leads', 'GET, HEAD, POST'],
      ['PUT', '/v1/leads', 'GET, HEAD, POST'],
      ['GET', `/v1/leads/${leadId}/sql`, 'POST'],
      ['PATCH', `/v1/leads/${leadId}`, 'GET, HEAD'],
      ['POST', `/v1/opportunities/${randomUUID()}`, 'GET, HEAD'],
      ['OPTIONS', '/v1/kpis', 'GET, HEAD'],
      ['DELETE', '/health', 'GET, HEAD'],
    ];
    const head = positionToString(await t.store.headPosition());
    for (const [method, path, allow] of cases) {
      // A body of any kind does not matter: the method is refused before it is read.
      const res = await http.send({ method, path, headers: { 'Content-Type': 'text/plain' }, body: 'x' });
      expectError(res, 405, 'METHOD_NOT_ALLOWED');
      expect([method, path, res.headers.allow]).toEqual([method, path, allow]);
    }
    expect((await http.send({ method: 'HEAD', path: '/v1/kpis' })).status).toBe(200);
    expect(positionToString(await t.store.headPosition())).toBe(head);
  });

  it('answers every other layer in the same shape: path ids, validation pipe, headers, domain', async () => {
    const bodies = await refused([
      [{ method: 'GET', path: '/v1/leads/not-a-uuid' }, 400, 'VALIDATION_FAILED'],
      [post('{"type":"page_view"}', JSON_TYPE, '/v1/leads/123/activities'), 400, 'VALIDATION_FAILED'],
      [{ method: 'GET', path: '/v1/funnel/leads/zzz' }, 400, 'VALIDATION_FAILED'],
      [{ method: 'GET', path: '/v1/leads/%E0%A4%A' }, 400, 'VALIDATION_FAILED'],
      [post('{"contact":{},"source":{"channel":"carrier_pigeon"}}'), 400, 'VALIDATION_FAILED'],
      [post('{"contact":{"email":"a@b.co"},"source":{"channel":"seo"},"company":[]}'), 400, 'VALIDATION_FAILED'],
      [{ method: 'GET', path: '/v1/leads?limit=0' }, 400, 'VALIDATION_FAILED'],
      [{ method: 'GET', path: '/v1/leads', headers: { 'X-Actor': 'x'.repeat(201) } }, 400, 'VALIDATION_FAILED'],
      [{ method: 'GET', path: '/v1/leads', headers: { 'X-Tenant-Id': 'no spaces' } }, 403, 'TENANT_MISMATCH'],
      [{ method: 'GET', path: `/v1/leads/${randomUUID()}` }, 404, 'LEAD_NOT_FOUND'],
      [post('{"ownerId":"rep-1"}', JSON_TYPE, `/v1/leads/${randomUUID()}/assign`), 404, 'LEAD_NOT_FOUND'],
    ]);
    expect(bodies[0]).toEqual({ statusCode: 400, error: 'BAD_REQUEST', code: 'VALIDATION_FAILED', message: 'id: must be a UUID', problems: [{ field: 'id', reason: 'must be a UUID' }] });
    expect(bodies[3]).toMatchObject({ problems: [{ field: 'path' }] });
    expect(bodies[4]).toMatchObject({ error: 'BAD_REQUEST', problems: expect.arrayContaining([{ field: 'source.channel', reason: expect.any(String) }]) });
    // an empty array where a nested object belongs has nothing for class-validator to check: the pipe refuses it
    expect(bodies[5]).toMatchObject({ problems: [{ field: 'company', reason: 'company must be an object, not an array' }] });
    expect(bodies[7]).toMatchObject({ error: 'BAD_REQUEST', problems: [{ field: 'X-Actor', reason: expect.any(String) }] });
    expect(bodies[8]).toMatchObject({ error: 'FORBIDDEN' });
  });

  it("answers what Node's HTTP parser refuses in the same shape", async () => {
    const { port } = new URL(http.baseUrl);
    const rawExchange = (bytes: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(bytes));
        let text = '';
        socket.on('data', (d) => (text += d.toString('utf8')));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
    const parse = (text: string) => ({ status: Number(text.split(' ')[1]), body: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) });
    expect(parse(await rawExchange('GARBAGE\r\n\r\n'))).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'BAD_REQUEST', code: 'MALFORMED_REQUEST', message: expect.any(String) },
    });
    expect(parse(await rawExchange(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`))).toEqual({
      status: 431,
      body: { statusCode: 431, error: 'REQUEST_HEADER_FIELDS_TOO_LARGE', code: 'HEADERS_TOO_LARGE', message: expect.any(String) },
    });
    expect((await http.send({ method: 'GET', path: '/health' })).status).toBe(200);
  });
});

describe('HTTP edge: the limits are configuration', () => {
  let t: TestApp;
  let http: RawHttpClient;
  beforeAll(async () => {
    t = await startTestApp({ env: { HTTP_BODY_LIMIT_BYTES: '2048', HTTP_JSON_MAX_DEPTH: '4' } });
    http = await RawHttpClient.listen(t.app, 16, { Authorization: `Bearer ${await t.adminKey()}` });
  });
  afterAll(async () => {
    http.close();
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('applies HTTP_BODY_LIMIT_BYTES and HTTP_JSON_MAX_DEPTH', async () => {
    const send = (body: string) => http.send({ method: 'POST', path: '/v1/leads', headers: JSON_TYPE, body });
    expectError(await send(`{"x":"${'a'.repeat(2048)}"}`), 413, 'BODY_TOO_LARGE');
    expectError(await send(nested(5)), 400, 'JSON_TOO_DEEP');
    expectError(await send(nested(4)), 400, 'VALIDATION_FAILED');
    // a real capture is three levels deep
    expect((await send(JSON.stringify({ ...validCapture(), attributes: { a: 1 } }))).status).toBe(201);
  });
});
