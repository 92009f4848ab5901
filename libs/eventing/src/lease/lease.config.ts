import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { settingsFromEnv, validateConfig } from '../config/validate-config';

/** `hostname-pid-random`: unique per process even when two containers share a host name. */
export function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * The leases of a fleet (with DATABASE_URL): how long a holder's lease lasts without renewal, and how
 * this instance is named in the `leases` table. Without DATABASE_URL these settings do nothing.
 */
export class LeaseConfig {
  /**
   * Time to live of a lease on the server's clock. The holder renews every third of it; when it dies,
   * another instance takes over within this plus one renew interval.
   */
  @Type(() => Number)
  @IsInt()
  @Min(300)
  @Max(300_000)
  LEASE_TTL_MS: number = 10_000;

  /** How this instance appears as a lease holder (a random suffix per lease keeper is added). */
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, { message: 'INSTANCE_ID must be 1 to 100 letters, digits, _ . : or -' })
  INSTANCE_ID: string = defaultInstanceId();

  static fromEnv(env: NodeJS.ProcessEnv = process.env): LeaseConfig {
    return validateConfig('lease', LeaseConfig, settingsFromEnv(LeaseConfig, env));
  }
}
