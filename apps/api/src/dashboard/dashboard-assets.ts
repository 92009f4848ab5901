import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One file the dashboard serves: its bytes and media type. */
export interface DashboardAsset {
  readonly body: Buffer;
  readonly type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The files of the front end, relative to public/; a fixed list, so no request path ever reaches the file system. */
export const DASHBOARD_FILES = [
  'index.html',
  'dashboard.css',
  'app.js',
  'api.js',
  'charts.js',
  'format.js',
  'pages/funnel.js',
  'pages/kpis.js',
  'pages/leads.js',
  'pages/timeline.js',
  'pages/live.js',
] as const;

/** Where ECharts' browser build is served; the page loads it with a plain script tag from this origin. */
export const ECHARTS_ROUTE = 'vendor/echarts.min.js';

/**
 * The dashboard's files, read once at start-up, from the folder next to this file: the sources under
 * ts-node and jest, the copy nest-cli.json's assets entry puts beside the build in dist.
 */
export class DashboardAssets {
  private constructor(private readonly files: ReadonlyMap<string, DashboardAsset>) {}

  static load(): DashboardAssets {
    // Beside this file: the source tree under ts-node, and dist through nest-cli.json's assets entry.
    const publicDir = join(__dirname, 'public');
    const files = new Map<string, DashboardAsset>();
    for (const name of DASHBOARD_FILES) files.set(name, { body: readFileSync(join(publicDir, name)), type: TYPES[name.slice(name.lastIndexOf('.'))] });
    const echarts = join(dirname(require.resolve('echarts/package.json')), 'dist', 'echarts.min.js');
    files.set(ECHARTS_ROUTE, { body: readFileSync(echarts), type: TYPES['.js'] });
    return new DashboardAssets(files);
  }

  /** The asset at this path under /dashboard/, or undefined. */
  get(path: string): DashboardAsset | undefined {
    return this.files.get(path);
  }
}
