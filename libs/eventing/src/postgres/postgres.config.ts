import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { settingsFromEnv, validateConfig } from '../config/validate-config';

/**
 * The PostgreSQL server that the instances of a fleet share (key store, API keys, checkpoints, leases,
 * read models). Unset: every instance keeps that state in its own data folder (the embedded default).
 */
export class PostgresConfig {
  /** `postgres://user:password@host:5432/database` (or `postgresql://`); unset means no shared state. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// connection string' })
  DATABASE_URL?: string;

  /** Connections each instance keeps to the server. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_MAX: number = 10;

  static fromEnv(env: NodeJS.ProcessEnv = process.env): PostgresConfig {
    return validateConfig('postgres', PostgresConfig, settingsFromEnv(PostgresConfig, env));
  }
}
