/**
 * Builds the installable packages and packs them (npm run pack:packages): each library of PACKAGES is
 * compiled with its libs/<name>/tsconfig.lib.json into libs/<name>/dist (JavaScript and declarations),
 * then `npm pack` writes dist/packages/lead-lifecycle-<name>-<version>.tgz. The order matters: a library
 * compiles against the built declarations of the ones before it, and its built imports of
 * `@lead-lifecycle/*` stay package imports, so a host installs the tarballs together.
 *
 * Usage: npm run pack:packages [-- --out <folder>]
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The packaged libraries, each after the libraries it imports. */
export const PACKAGES = ['domain', 'eventing', 'lifecycle', 'projections', 'automation'] as const;

const ROOT = resolve(__dirname, '..');

/** Files a library reads at run time beside its compiled code (migrations): copied into dist as they are. */
const ASSET = /\.sql$/;

/**
 * Repository files a package ships beside its code, copied into its dist (the folder a host imports
 * them from, through the package's exports map): the domain's generated JSON Schemas of the events
 * (npm run schemas:generate), `@lead-lifecycle/domain/schemas/events/<Type>.v<n>.json`.
 */
const SHIPPED: Readonly<Record<string, readonly { from: string; to: string }[]>> = {
  domain: [{ from: 'schemas/events', to: 'schemas/events' }],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Relative requires in the built code that leave the package's own folder: they resolve inside this
 * repository but not in a host's node_modules. Printed, so a new one is seen at once.
 */
function escapingRequires(lib: string): string[] {
  const dist = join(ROOT, 'libs', lib, 'dist');
  return filesUnder(dist)
    .filter((file) => file.endsWith('.js'))
    .flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/require\(['"](\.{1,2}\/[^'"]+)['"]\)/g)]
        .map((match) => match[1])
        .filter((target) => relative(dist, resolve(dirname(file), target)).startsWith('..'))
        .map((target) => `${relative(ROOT, file)}: require('${target}')`),
    );
}

function build(lib: string): void {
  const folder = join(ROOT, 'libs', lib);
  rmSync(join(folder, 'dist'), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(folder, 'tsconfig.lib.json')], { stdio: 'inherit' });
  for (const asset of filesUnder(join(folder, 'src')).filter((file) => ASSET.test(file))) {
    const target = join(folder, 'dist', relative(join(folder, 'src'), asset));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(asset, target);
  }
  for (const { from, to } of SHIPPED[lib] ?? []) {
    mkdirSync(join(folder, 'dist', to), { recursive: true });
    for (const file of readdirSync(join(ROOT, from))) copyFileSync(join(ROOT, from, file), join(folder, 'dist', to, file));
  }
}

function main(): void {
  const outFlag = process.argv.indexOf('--out');
  const out = resolve(ROOT, outFlag >= 0 ? process.argv[outFlag + 1] : 'dist/packages');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const lib of PACKAGES) {
    const started = Date.now();
    build(lib);
    for (const escape of escapingRequires(lib)) console.warn(`warning: ${escape} leaves the package: it fails when installed`);
    const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: join(ROOT, 'libs', lib), encoding: 'utf8' }).trim();
    console.log(`${relative(ROOT, join(out, packed))} (${Date.now() - started} ms)`);
  }
}

main();
