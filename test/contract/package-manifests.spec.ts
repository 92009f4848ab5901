/**
 * The installable packages' manifests (libs/<name>/package.json, packed by npm run pack:packages) say
 * what their built code needs: every package a library's production code imports is a dependency or a
 * peer dependency, with the root package.json's range (the one the repository is tested with), the
 * sibling libraries at the shared version, and only the barrel exported.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PACKAGES = ['domain', 'eventing', 'lifecycle', 'projections', 'automation'] as const;

/** Files beside the barrel a package exports (tools/pack-packages.ts copies them into its dist). */
const SHIPPED_EXPORTS: Record<string, Record<string, string>> = {
  domain: { './schemas/events/*.json': './dist/schemas/events/*.json' },
};

interface Manifest {
  name: string;
  version: string;
  main: string;
  types: string;
  exports: Record<string, unknown>;
  files: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const root = readJson<{ version: string; dependencies: Record<string, string>; devDependencies: Record<string, string> }>(join(ROOT, 'package.json'));
const manifest = (lib: string) => readJson<Manifest>(join(ROOT, 'libs', lib, 'package.json'));

function productionFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return productionFiles(path);
    return name.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(name) ? [path] : [];
  });
}

/** The packages a library's production sources import (static, dynamic and require), by package name. */
function importedPackages(lib: string): Set<string> {
  const specifiers = productionFiles(join(ROOT, 'libs', lib, 'src')).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\(\s*|require\(\s*)'([^'.][^']*)'/g)].map((m) => m[1]),
  );
  const names = specifiers.map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]));
  return new Set(names.filter((name) => !name.startsWith('node:') && !builtinModules.includes(name)));
}

describe.each(PACKAGES)('the @lead-lifecycle/%s package manifest', (lib) => {
  const pkg = manifest(lib);

  it('is named after its library, at the repository version, exporting only its barrel from dist', () => {
    expect(pkg.name).toBe(`@lead-lifecycle/${lib}`);
    expect(pkg.version).toBe(root.version);
    expect(pkg.main).toBe('./dist/index.js');
    expect(pkg.types).toBe('./dist/index.d.ts');
    expect(pkg.exports).toEqual({ '.': { types: './dist/index.d.ts', default: './dist/index.js' }, ...SHIPPED_EXPORTS[lib], './package.json': './package.json' });
    expect(pkg.files).toEqual(['dist']);
  });

  it('declares every package its production code imports', () => {
    const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
    expect([...importedPackages(lib)].filter((name) => !declared.has(name)).sort()).toEqual([]);
  });

  it('uses the root ranges, and the shared version for its siblings', () => {
    for (const [name, range] of Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies })) {
      const expected = name.startsWith('@lead-lifecycle/') ? root.version : (root.dependencies[name] ?? root.devDependencies[name]);
      expect(`${name}@${range}`).toBe(`${name}@${expected}`);
    }
  });
});
