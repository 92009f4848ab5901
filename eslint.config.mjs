// @ts-check
/**
 * The linter (npm run lint, run by CI after the type-check): typescript-eslint's type-aware
 * recommended rules, a few bug-catching extras, and the architecture boundaries between the
 * libraries as import restrictions.
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const LIBS = ['domain', 'eventing', 'lifecycle', 'projections', 'kafka-relay', 'identity', 'automation'];

/** The test tiers' file names (jest.config.js). */
const SPEC = '{spec,int-spec,e2e-spec}';

/** Tests, their support code and the benchmark: code that may print and may handle untyped JSON. */
const TEST_FILES = [`**/*.${SPEC}.ts`, 'test/**/*.ts'];

/** Imports of another library of the monorepo, by path alias or by a relative path into its folder. */
const libraryImports = (libs, message) =>
  libs.map((lib) => ({ regex: `^(@lead-lifecycle/${lib}|(\\.\\./)+(libs/)?${lib}/src)(/.*)?$`, message }));

/** Production code reaching into the test folder: test doubles and fixtures stay out of what ships. */
const TEST_FOLDER_IMPORT = {
  regex: '^(\\.\\./)+test(/.*)?$',
  message: 'Production code does not import from test/: test doubles and fixtures are for tests only.',
};

const DOMAIN_RULES = [
  ...libraryImports(
    LIBS.filter((lib) => lib !== 'domain'),
    'libs/domain is the pure core: it imports no other @lead-lifecycle library.',
  ),
  { group: ['@nestjs/*'], message: 'libs/domain does not depend on NestJS (README, "Why NestJS 11").' },
];
const EVENTING_RULES = libraryImports(
  LIBS.filter((lib) => lib !== 'eventing'),
  'libs/eventing (event store, processing runtime) imports no other @lead-lifecycle library.',
);
const NO_COMMANDS_RULES = libraryImports(
  ['lifecycle'],
  'Read models and the relay consume events: they do not import the command library (@lead-lifecycle/lifecycle).',
);

/**
 * A folder's import restrictions. A later config object replaces a rule rather than merging it, so
 * each folder lists all of its restrictions in one entry; its tests keep the library boundaries
 * (unless `testPatterns` says otherwise) but may import test/.
 */
const boundary = (folder, patterns = [], testPatterns = patterns) => [
  {
    files: [`${folder}/**/*.ts`],
    ignores: [`${folder}/**/*.${SPEC}.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: [...patterns, TEST_FOLDER_IMPORT] }] },
  },
  {
    files: [`${folder}/**/*.${SPEC}.ts`],
    rules: { 'no-restricted-imports': testPatterns.length ? ['error', { patterns: testPatterns }] : 'off' },
  },
];

export default defineConfig(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      'data/**',
      'schemas/**', // generated JSON Schemas (npm run schemas:generate)
      'bench/results/**',
      // Its own project: its types come from the packed tarballs in its own node_modules, there only after
      // its install, so CI lints it then (.ci/run: eslint --no-ignore examples/host/src examples/host/test).
      'examples/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // tools/ is outside every tsconfig's include: the default project type-checks it.
        projectService: { allowDefaultProject: ['tools/*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      // `as unknown as` silences the compiler instead of proving a type (house style).
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSAsExpression > TSAsExpression.expression > TSUnknownKeyword.typeAnnotation',
          message: 'No `as unknown as`: narrow the value (a type guard, a typed parser) or fix the type.',
        },
      ],
      // A leading underscore marks a deliberately unused binding (rest-omission, positional parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Async implementations of Promise-returning ports often have nothing to await; removing
      // `async` would turn their throws into synchronous exceptions, so the rule's fix is not neutral.
      '@typescript-eslint/require-await': 'off',
      // Type-only imports are erased. The rule leaves files with decorators alone, where
      // emitDecoratorMetadata needs the value import for dependency injection. `typeof import('x')`
      // stays allowed: it types a module loaded on demand with require().
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      // Passing a caught error on (Promise.reject(error)) keeps it as it was thrown.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // Tests read supertest bodies and parsed JSON, which are `any` by design; the assertions check them.
    // Their messages may print any value, and `expect(obj.method)` only looks at a method.
    files: [...TEST_FILES, 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Test code names `unknown` for what it means (a JSON value) in unions such as `Json | typeof DELETE`.
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Command-line programs, the benchmark, tools and tests print on purpose.
    files: ['apps/**/*.ts', 'bench/**/*.ts', 'tools/**/*.ts', ...TEST_FILES],
    rules: { 'no-console': 'off' },
  },

  // Architecture boundaries.
  ...boundary('apps/*/src'),
  ...boundary('libs/lifecycle/src'),
  ...boundary('libs/identity/src'),
  ...boundary('libs/automation/src'),
  ...boundary('libs/domain/src', DOMAIN_RULES),
  ...boundary('libs/eventing/src', EVENTING_RULES),
  // Their tests may drive the engine: the command library writes the events the read models and
  // the relay then consume (toNewEvents, the identity stream), as production does.
  ...boundary('libs/projections/src', NO_COMMANDS_RULES, []),
  ...boundary('libs/kafka-relay/src', NO_COMMANDS_RULES, []),
);
