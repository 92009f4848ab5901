import { freshDatabase, type FreshDatabase } from '../postgres/fresh-database';
import { removeDataDir, startTestApp, type TestApp } from '../test-app';

/** The API instance of a worker test and its database, once beforeAll has run. */
export interface WorkerInstance {
  readonly db: FreshDatabase;
  readonly app: TestApp;
  /** Closes the app (a test that checks the shutdown calls it; afterAll then does not close it again). */
  close(): Promise<void>;
}

/**
 * Registers the hooks of a suite that runs one API instance of a fleet with its processors in the worker
 * thread, on a fresh PostgreSQL database: DATABASE_URL is set in the environment too, as an operator starts
 * an instance (the worker reads its settings from there), and put back afterwards. `env` adds the suite's
 * own settings (READ_MODELS=postgres, say). Fails loudly when PostgreSQL cannot be reached.
 */
export function workerInstanceOnPostgres(env: Record<string, string> = {}, databasePrefix?: string): WorkerInstance {
  let db: FreshDatabase | undefined;
  let app: TestApp | undefined;
  let closed = false;
  const before = process.env.DATABASE_URL;
  beforeAll(async () => {
    db = await freshDatabase(databasePrefix);
    process.env.DATABASE_URL = db.url;
    app = await startTestApp({ env: { PROCESSORS_IN: 'worker', DATABASE_URL: db.url, ...env } });
  });
  afterAll(async () => {
    if (before === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = before;
    if (app) {
      if (!closed) await app.close();
      removeDataDir(app.dataDir);
    }
    await db?.drop();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the worker instance's ${what} is not there: beforeAll failed`);
    return value;
  };
  return {
    get db() {
      return started(db, 'database');
    },
    get app() {
      return started(app, 'app');
    },
    async close() {
      await started(app, 'app').close();
      closed = true;
    },
  };
}
