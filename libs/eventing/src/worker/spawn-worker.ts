import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on `main`, a file of this library named without its extension (for example
 * `join(__dirname, 'processor-worker.main')`). From a TypeScript checkout (this file is .ts: ts-node or
 * ts-jest is running it, and neither reaches into a worker) the thread registers ts-node (transpile
 * only) and the path aliases of the nearest tsconfig.json first; from dist it loads the compiled
 * JavaScript directly. Every worker of the engine starts here, so both ways stay the same for all.
 */
export function spawnLibraryWorker(main: string, workerData: unknown): Worker {
  const typescript = __filename.endsWith('.ts');
  const file = `${main}${typescript ? '.ts' : '.js'}`;
  const project = typescript ? findTsconfig(dirname(file)) : undefined;
  const boot = project
    ? `
      require(${JSON.stringify(require.resolve('ts-node'))}).register({ project: ${JSON.stringify(project)}, transpileOnly: true });
      const paths = require(${JSON.stringify(require.resolve('tsconfig-paths'))});
      const config = paths.loadConfig(${JSON.stringify(dirname(project))});
      if (config.resultType === 'success') paths.register({ baseUrl: config.absoluteBaseUrl, paths: config.paths });
      require(${JSON.stringify(file)});`
    : `require(${JSON.stringify(file)});`;
  return new Worker(boot, { eval: true, workerData });
}

function findTsconfig(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'tsconfig.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
