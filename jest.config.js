/** Two tiers: unit specs beside the code, integration specs in test/ against the real Postgres and Redis. */
const transform = {
  // The Swagger plugin reads DTO types at compile time (as `nest build` does), so the OpenAPI
  // document under test is the one production serves.
  '^.+\\.ts$': [
    'ts-jest',
    {
      diagnostics: false,
      tsconfig: '<rootDir>/tsconfig.jest.json',
      astTransformers: {
        before: ['<rootDir>/test/support/swagger-transformer.js'],
      },
    },
  ],
  // @fastify/static (Swagger UI's file server) requires content-disposition 3, which ships only as
  // ESM. Node 20.19+ loads it through require(esm); jest's module loader does not, so compile it.
  'node_modules/content-disposition/.+\\.js$': ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs' } }],
};
const common = {
  testEnvironment: '<rootDir>/test/support/fast-node-environment.js',
  transform,
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
};
module.exports = {
  // Global only (ignored inside projects): integration tests boot whole apps.
  testTimeout: 60000,
  // Two workers (one per core). Each test file boots whole apps (the simulator's books, market
  // data); a worker that has grown past this is replaced, so the suite never runs out of heap.
  maxWorkers: 2,
  workerIdleMemoryLimit: '1500MB',
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/src'], testMatch: ['**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.int-spec.ts', '**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
