/**
 * Copies the PostgreSQL migrations (plain SQL files in each `libs/…/postgres-migrations/` or `postgres-<area>-migrations/` folder) beside
 * the compiled code in `dist`, where the adapters read them at start-up: tsc and nest build copy only
 * what they compile. Run after `nest build` (npm run build does; so does the Dockerfile).
 */
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(__dirname, '..');
const out = join(root, process.argv[2] ?? 'dist');

function migrationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : migrationFiles(path);
    return entry.name.endsWith('.sql') && /postgres(-[a-z]+)?-migrations$/.test(dirname(path)) ? [path] : [];
  });
}

const files = migrationFiles(join(root, 'libs'));
for (const file of files) {
  const target = join(out, relative(root, file));
  mkdirSync(dirname(target), { recursive: true });
  cpSync(file, target);
}
console.log(`copied ${files.length} migration file(s) into ${relative(root, out) || '.'}`);
