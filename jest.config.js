/**
 * Test tiers are told apart by file suffix:
 *   *.spec.ts      unit: pure, no I/O beyond temp files
 *   *.int-spec.ts  integration: real adapters (SQLite, the EventStoreDB protocol server, a Kafka broker)
 *   *.e2e-spec.ts  end-to-end: the HTTP API of a booted Nest application
 * Servers are started once for the whole run in test/support/global-setup.ts.
 */
const moduleNameMapper = {
  '^@lead-lifecycle/(domain|eventing|lifecycle|projections|kafka-relay|identity|automation)(/.*)?$': '<rootDir>/libs/$1/src$2',
};
// jose 6 ships ES modules only: jest 29 cannot require them, so its files are compiled to CommonJS like ours.
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  '^.+/node_modules/jose/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true }, isolatedModules: true }],
};
const transformIgnorePatterns = ['/node_modules/(?!jose/)'];
const base = { rootDir: __dirname, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'], moduleNameMapper, transform, transformIgnorePatterns };

module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{libs,apps,test}/**/*.spec.ts'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/{libs,apps,test}/**/*.int-spec.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/{libs,apps,test}/**/*.e2e-spec.ts'] },
  ],
};
