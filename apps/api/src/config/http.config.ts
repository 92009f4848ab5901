import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';
import { pick, validateConfig } from '@lead-lifecycle/lifecycle';

/** The HTTP listener. Read from the environment at start-up. */
export class HttpConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  @Type(() => Number)
  PORT: number = 3000;

  @IsString()
  @IsNotEmpty()
  HOST: string = '0.0.0.0';

  /** Longest a query may wait for a projection to reach a given position (read your own writes). */
  @IsInt()
  @Min(0)
  @Max(60000)
  @Type(() => Number)
  READ_WAIT_MAX_MS: number = 5000;

  static fromEnv(env: NodeJS.ProcessEnv = process.env): HttpConfig {
    return validateConfig('http', HttpConfig, pick(env, ['PORT', 'HOST']));
  }
}
