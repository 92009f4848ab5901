import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import { settingsFromEnv, validateConfig } from '@lead-lifecycle/eventing';
import { PLATFORM_KEY_MIN_LENGTH } from './platform-key';

/** Signature algorithms a token may use: asymmetric only, so no shared secret can forge a token. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

const ALGORITHM_LIST = new RegExp(`^(${ASYMMETRIC_ALGORITHMS.join('|')})(,(${ASYMMETRIC_ALGORITHMS.join('|')}))*$`);
// https, or plain http to this machine only (a local identity provider, tests): keys fetched in clear text could be swapped.
const JWKS_URL = /^(https:\/\/[^\s/?#]+|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?)(\/[^\s]*)?$/;
const ORIGIN = '(https?://[A-Za-z0-9.-]+(:\\d{1,5})?|https?://\\[[0-9A-Fa-f:]+\\](:\\d{1,5})?)';
const ORIGIN_LIST = new RegExp(`^${ORIGIN}(,${ORIGIN})*$`);
const PEM_PUBLIC_KEY = /^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\s*$/;
const CLAIM_NAME = /^[\x21-\x7e]{1,200}$/;

const REQUIRED_WITH_KEY_SOURCE = (name: string) => `${name} must be set when AUTH_JWKS_URL or AUTH_JWT_PUBLIC_KEY is`;

/** Credentials, rate limits and CORS. Read from the environment at start-up. */
export class AuthConfig {
  /** The platform key; when unset, the first start generates one into DATA_DIR/admin-api-key. */
  @IsOptional()
  @IsString()
  @MinLength(PLATFORM_KEY_MIN_LENGTH, { message: `ADMIN_API_KEY must have at least ${PLATFORM_KEY_MIN_LENGTH} characters` })
  @Matches(/^[\x21-\x7e]+$/, { message: 'ADMIN_API_KEY must be printable ASCII without spaces' })
  ADMIN_API_KEY?: string;

  /** The identity provider's JSON Web Key Set (OIDC `jwks_uri`). */
  @IsOptional()
  @Matches(JWKS_URL, { message: 'AUTH_JWKS_URL must be an https:// URL (http:// only to localhost)' })
  // One source of keys: with both, which one verified a token would be unclear.
  @ValidateBy({
    name: 'oneKeySource',
    validator: { validate: (_: unknown, args) => (args?.object as AuthConfig).AUTH_JWT_PUBLIC_KEY === undefined },
  }, { message: 'set AUTH_JWKS_URL or AUTH_JWT_PUBLIC_KEY, not both' })
  AUTH_JWKS_URL?: string;

  /** Or one public key, PEM (SPKI); `\n` escapes are accepted for one-line environments. */
  @ValidateIf((c: AuthConfig) => c.AUTH_JWT_PUBLIC_KEY !== undefined)
  @Matches(PEM_PUBLIC_KEY, { message: 'AUTH_JWT_PUBLIC_KEY must be a PEM "PUBLIC KEY" (SPKI)' })
  AUTH_JWT_PUBLIC_KEY?: string;

  /** Set when JWTs are accepted: tokens from any other issuer are refused. */
  @ValidateIf((c: AuthConfig) => c.jwtEnabled || c.AUTH_ISSUER !== undefined)
  @IsString({ message: REQUIRED_WITH_KEY_SOURCE('AUTH_ISSUER') })
  @IsNotEmpty({ message: REQUIRED_WITH_KEY_SOURCE('AUTH_ISSUER') })
  AUTH_ISSUER?: string;

  /** Set when JWTs are accepted: the `aud` this engine answers to (comma-separated for several). */
  @ValidateIf((c: AuthConfig) => c.jwtEnabled || c.AUTH_AUDIENCE !== undefined)
  @IsString({ message: REQUIRED_WITH_KEY_SOURCE('AUTH_AUDIENCE') })
  @Matches(/^[^,\s]+(,[^,\s]+)*$/, { message: `${REQUIRED_WITH_KEY_SOURCE('AUTH_AUDIENCE')}: one audience or a comma-separated list` })
  AUTH_AUDIENCE?: string;

  /** Claim that carries the tenant id (a dotted path reaches into objects when no claim has the full name). */
  @Matches(CLAIM_NAME, { message: 'AUTH_TENANT_CLAIM must be a claim name' })
  AUTH_TENANT_CLAIM: string = 'tenant_id';

  /** Claim that carries the roles: an array, or a space- or comma-separated string. Unknown roles are ignored. */
  @Matches(CLAIM_NAME, { message: 'AUTH_ROLES_CLAIM must be a claim name' })
  AUTH_ROLES_CLAIM: string = 'roles';

  @Matches(ALGORITHM_LIST, { message: `AUTH_JWT_ALGORITHMS must be a comma-separated list of ${ASYMMETRIC_ALGORITHMS.join(', ')}` })
  AUTH_JWT_ALGORITHMS: string = ASYMMETRIC_ALGORITHMS.join(',');

  /** Leeway for `exp` and `nbf` against clock skew between the provider and us. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(300)
  AUTH_CLOCK_TOLERANCE_SECONDS: number = 30;

  /** Requests a minute per credential (per client address without one). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE: number = 600;

  /** Requests a minute for a credential whose roles are only `capture` (public web forms). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_CAPTURE_PER_MINUTE: number = 60;

  /** Origins browsers may call from (comma-separated, e.g. `https://app.example.com`); CORS is closed when unset. */
  @IsOptional()
  @MaxLength(4000)
  @Matches(ORIGIN_LIST, { message: 'CORS_ORIGINS must be a comma-separated list of origins like https://app.example.com (no paths, no "*")' })
  CORS_ORIGINS?: string;

  /** Whether bearer tokens other than our API keys are verified as JWTs. */
  get jwtEnabled(): boolean {
    return this.AUTH_JWKS_URL !== undefined || this.AUTH_JWT_PUBLIC_KEY !== undefined;
  }

  get audiences(): string[] {
    return this.AUTH_AUDIENCE ? this.AUTH_AUDIENCE.split(',') : [];
  }

  get algorithms(): AsymmetricAlgorithm[] {
    return this.AUTH_JWT_ALGORITHMS.split(',') as AsymmetricAlgorithm[];
  }

  get publicKeyPem(): string | undefined {
    return this.AUTH_JWT_PUBLIC_KEY?.replace(/\\n/g, '\n');
  }

  get corsOrigins(): string[] {
    return this.CORS_ORIGINS ? this.CORS_ORIGINS.split(',') : [];
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): AuthConfig {
    return validateConfig('auth', AuthConfig, settingsFromEnv(AuthConfig, env));
  }
}
