import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

/** The signing algorithms the test server has a key for, each under its own `kid`. */
export type TestAlgorithm = 'RS256' | 'ES256' | 'EdDSA' | 'PS256';

export interface JwksTestServer {
  /** http://127.0.0.1:<port>/.well-known/jwks.json */
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  /** How many times the JWKS was fetched. */
  readonly fetches: number;
  /** A token signed with the server's key for `alg` (default RS256), `iss`/`aud` set unless overridden. */
  sign(claims: JWTPayload, options?: { alg?: TestAlgorithm; kid?: string; header?: Record<string, unknown> }): Promise<string>;
  /** A token signed with a key the JWKS does not publish (same kid naming scheme, unknown kid). */
  signWithUnpublishedKey(claims: JWTPayload): Promise<string>;
  /** The PEM (SPKI) of the RS256 public key, for AUTH_JWT_PUBLIC_KEY. */
  rsaPublicKeyPem(): Promise<string>;
  /** Makes the JWKS endpoint answer 500 from now on (the provider is down). */
  fail(): void;
  close(): Promise<void>;
}

/**
 * A local identity provider for tests: a node:http server on 127.0.0.1 that serves a JWKS of keys the
 * test generates with jose, and signs tokens with them. Nothing leaves the machine.
 */
export async function startJwksTestServer(): Promise<JwksTestServer> {
  const algorithms: TestAlgorithm[] = ['RS256', 'ES256', 'EdDSA', 'PS256'];
  const pairs = new Map<TestAlgorithm, { privateKey: CryptoKey; publicKey: CryptoKey }>();
  for (const alg of algorithms) pairs.set(alg, await generateKeyPair(alg, { extractable: true }));
  const unpublished = await generateKeyPair('RS256');
  const jwks: { keys: JWK[] } = { keys: [] };
  for (const [alg, pair] of pairs) jwks.keys.push({ ...(await exportJWK(pair.publicKey)), kid: kidOf(alg), alg, use: 'sig' });

  let fetches = 0;
  let failing = false;
  const server: Server = createServer((request, response) => {
    if (request.url !== '/.well-known/jwks.json') {
      response.writeHead(404).end();
      return;
    }
    fetches += 1;
    if (failing) {
      response.writeHead(500).end('down');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}/`;
  const audience = 'lead-lifecycle-test';

  const build = (claims: JWTPayload, alg: string, kid: string, header: Record<string, unknown> = {}) =>
    new SignJWT({ iss: issuer, aud: audience, ...claims }).setProtectedHeader({ alg, kid, typ: 'JWT', ...header });

  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    issuer,
    audience,
    get fetches() {
      return fetches;
    },
    sign: (claims, options = {}) => {
      const alg = options.alg ?? 'RS256';
      return build(claims, alg, options.kid ?? kidOf(alg), options.header).sign(pairs.get(alg)!.privateKey);
    },
    signWithUnpublishedKey: (claims) => build(claims, 'RS256', 'rotated-away').sign(unpublished.privateKey),
    rsaPublicKeyPem: () => exportSPKI(pairs.get('RS256')!.publicKey),
    fail: () => {
      failing = true;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** A token with `alg: none` and no signature, as an attacker would craft it. */
export function unsignedToken(claims: JWTPayload): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

function kidOf(alg: TestAlgorithm): string {
  return `test-${alg.toLowerCase()}`;
}
