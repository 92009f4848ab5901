import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { pick, validateConfig } from './validate-config';

/** Where events live and where the engine keeps its local files. Read from the environment. */
export class EngineConfig {
  /** Folder of the embedded store, read models and checkpoints. */
  @IsString()
  @IsNotEmpty()
  DATA_DIR: string = './data';

  @IsIn(['sqlite', 'eventstoredb'], { message: 'EVENT_STORE must be "sqlite" (embedded, default) or "eventstoredb"' })
  EVENT_STORE: 'sqlite' | 'eventstoredb' = 'sqlite';

  @ValidateIf((c: EngineConfig) => c.EVENT_STORE === 'eventstoredb')
  @Matches(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\//, {
    message: 'EVENTSTORE_CONNECTION_STRING must be set to an esdb:// connection string when EVENT_STORE=eventstoredb',
  })
  EVENTSTORE_CONNECTION_STRING?: string;

  /** Path of the lifecycle rules file (JSON); the built-in defaults apply when unset. */
  @IsOptional()
  @IsString()
  LIFECYCLE_CONFIG?: string;

  /** 'full' fsyncs every commit; 'normal' survives a process crash but not a power cut. */
  @IsIn(['full', 'normal'])
  SQLITE_DURABILITY: 'full' | 'normal' = 'full';

  /**
   * Where the embedded store writes: `main`, on the event loop (the appends of one turn in one
   * transaction, whose fsync holds the loop), or `thread`, a writer thread with its own connection to the
   * same file (whatever arrived while it was busy in one transaction; the loop goes on during the fsync).
   * Reads stay on the main connection either way; an append is answered after its commit.
   */
  @IsIn(['main', 'thread'], { message: 'SQLITE_WRITER must be "main" (default) or "thread"' })
  SQLITE_WRITER: 'main' | 'thread' = 'main';

  /** How many times a command is retried after a concurrency conflict before answering 409. */
  @IsInt()
  @Min(0)
  @Max(50)
  @Type(() => Number)
  COMMAND_MAX_RETRIES: number = 10;

  /** Lead and opportunity streams kept in memory between commands (0: fold every stream from the store each time). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  CACHED_STREAMS: number = 5_000;

  /**
   * Largest event the store accepts, as JSON (data plus metadata); a command whose event would be larger
   * is refused with 400 INVALID_COMMAND before anything is written.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(16 * 1024 * 1024)
  EVENT_MAX_BYTES: number = 262_144;

  /** Deepest nesting of objects and arrays in an event's data or metadata (free-form `attributes`, `properties`). */
  @Type(() => Number)
  @IsInt()
  @Min(4)
  @Max(256)
  EVENT_MAX_DEPTH: number = 32;

  /** How long an Idempotency-Key and the answer it recorded are kept (a retry after that runs again). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 366)
  IDEMPOTENCY_TTL_HOURS: number = 24;

  /**
   * Where the API runs the processors that follow the log (the three projections, the Kafka relay, the
   * durable opportunity reaction): `worker`, a worker thread of the process with its own connections,
   * so they do not take turns with commands on the event loop; or `main`, the event loop itself (for
   * tests and embedders that drive processors by hand). An embedder's own store or key store instance
   * cannot move to a thread: with one, the processors run on the main thread whatever this says. The
   * rebuild CLI and the standalone relay always run on their own main thread.
   */
  @IsIn(['worker', 'main'], { message: 'PROCESSORS_IN must be "worker" (default) or "main"' })
  PROCESSORS_IN: 'worker' | 'main' = 'worker';

  static fromEnv(env: NodeJS.ProcessEnv = process.env): EngineConfig {
    return validateConfig(
      'engine',
      EngineConfig,
      pick(env, [
        'DATA_DIR',
        'EVENT_STORE',
        'EVENTSTORE_CONNECTION_STRING',
        'LIFECYCLE_CONFIG',
        'SQLITE_DURABILITY',
        'SQLITE_WRITER',
        'COMMAND_MAX_RETRIES',
        'CACHED_STREAMS',
        'EVENT_MAX_BYTES',
        'EVENT_MAX_DEPTH',
        'IDEMPOTENCY_TTL_HOURS',
        'PROCESSORS_IN',
      ]),
    );
  }
}
