import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';
import { settingsFromEnv, validateConfig } from '@lead-lifecycle/lifecycle';

/** The HTTP servers the API can run on, behind the same controllers, DTOs, pipes, guards, filters and interceptors. */
export const HTTP_ADAPTERS = ['express', 'fastify'] as const;
export type HttpAdapterName = (typeof HTTP_ADAPTERS)[number];

/** The HTTP listener and what its edge accepts. Read from the environment at start-up. */
export class HttpConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  @Type(() => Number)
  PORT: number = 3000;

  @IsString()
  @IsNotEmpty()
  HOST: string = '0.0.0.0';

  /**
   * Largest request body in bytes (413 BODY_TOO_LARGE above it). 256 KiB: a command is a few hundred
   * bytes, and every accepted body becomes an event that is stored, replayed and published for good.
   */
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  @Type(() => Number)
  HTTP_BODY_LIMIT_BYTES: number = 256 * 1024;

  /** Deepest nesting of objects and arrays a JSON body may have (400 JSON_TOO_DEEP beyond it); the body itself is level 1. */
  @IsInt()
  @Min(2)
  @Max(1000)
  @Type(() => Number)
  HTTP_JSON_MAX_DEPTH: number = 32;

  /**
   * The HTTP server under Nest: `express` (@nestjs/platform-express) or `fastify`
   * (@nestjs/platform-fastify). Both give the documented edge; see README "The HTTP edge" for the measurement.
   */
  @IsIn(HTTP_ADAPTERS)
  HTTP_ADAPTER: HttpAdapterName = 'express';

  static fromEnv(env: NodeJS.ProcessEnv = process.env): HttpConfig {
    return validateConfig('http', HttpConfig, settingsFromEnv(HttpConfig, env));
  }
}
