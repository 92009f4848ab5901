/**
 * The API report of the installable packages (README, Embedding): every name each package's barrel
 * exports, as a value (present at run time) or a type only, checked against the committed report in
 * test/contract/public-api/<package>.api.txt. A test fails when an export disappears or is added
 * without the report being updated, so a change of the public surface is always a reviewed diff.
 *
 * Regenerate after a deliberate change: UPDATE_API_REPORT=1 npx jest test/contract/public-api.spec.ts
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
const REPORTS = join(__dirname, 'public-api');
/** The packed libraries (tools/pack-packages.ts). */
const PACKAGES = ['domain', 'eventing', 'lifecycle', 'projections', 'automation'] as const;
const UPDATE = process.env.UPDATE_API_REPORT === '1';

type Kind = 'value' | 'type';

/** The barrel's exports by name, as the compiler sees them (re-exports followed to what they name). */
function declaredExports(program: ts.Program, lib: string): Map<string, Kind> {
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(join(ROOT, 'libs', lib, 'src', 'index.ts'));
  const moduleSymbol = file && checker.getSymbolAtLocation(file);
  if (!moduleSymbol) throw new Error(`libs/${lib}/src/index.ts is not a module`);
  const exports = new Map<string, Kind>();
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    exports.set(symbol.getName(), target.flags & ts.SymbolFlags.Value ? 'value' : 'type');
  }
  return exports;
}

const render = (exports: Map<string, Kind>) =>
  [...exports]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, kind]) => `${kind} ${name}\n`)
    .join('');

const reportPath = (lib: string) => join(REPORTS, `${lib}.api.txt`);

describe('public API report', () => {
  let program: ts.Program;

  beforeAll(() => {
    const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(d.messageText) });
    if (!config) throw new Error('tsconfig.json could not be read');
    program = ts.createProgram(
      PACKAGES.map((lib) => join(ROOT, 'libs', lib, 'src', 'index.ts')),
      { ...config.options, noEmit: true },
    );
  });

  it.each(PACKAGES)('@lead-lifecycle/%s exports exactly what its report lists', (lib) => {
    const actual = render(declaredExports(program, lib));
    if (UPDATE) {
      mkdirSync(REPORTS, { recursive: true });
      writeFileSync(reportPath(lib), actual);
    }
    if (!existsSync(reportPath(lib))) throw new Error(`no API report for ${lib}: run UPDATE_API_REPORT=1 npx jest test/contract/public-api.spec.ts`);
    expect(actual).toBe(readFileSync(reportPath(lib), 'utf8'));
  });

  it.each(PACKAGES)('@lead-lifecycle/%s has at run time exactly the values its report lists', async (lib) => {
    // The path alias resolves to the library's source barrel: what the package's dist/index.js compiles from.
    const loaded = (await import(`@lead-lifecycle/${lib}`)) as Record<string, unknown>;
    const runtime = Object.keys(loaded).filter((name) => name !== '__esModule').sort();
    const reported = readFileSync(reportPath(lib), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('value '))
      .map((line) => line.slice('value '.length))
      .sort();
    expect(runtime).toEqual(reported);
  });
});
