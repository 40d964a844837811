/**
 * Five projects, one run: unit (pure code), workflow (time-skipping test server, activities faked at the
 * boundary), integration (a real Temporal dev server and a real PostgreSQL, started once by globalSetup), e2e
 * (the web console in Chromium against that same kind of stack) and rehearsal (the production-shaped cluster of
 * `npm run rehearse -- --smoke`, which starts and stops its own processes).
 */
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', moduleResolution: 'node', isolatedModules: true } }],
};
const common = {
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  // The generated Prisma client imports its siblings as `./x.js`; the sources are `.ts`.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

module.exports = {
  // The rehearsal runs last (test/rehearsal/sequencer.js says why).
  testSequencer: '<rootDir>/test/rehearsal/sequencer.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'workflow', testMatch: ['<rootDir>/test/workflow/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
    {
      // The production-shaped cluster (Temporal server binary on PostgreSQL, the build output): its own processes.
      ...common,
      displayName: 'rehearsal',
      testMatch: ['<rootDir>/test/rehearsal/**/*.test.ts'],
    },
    {
      // The web console in a real browser (Debian's Chromium via playwright-core) against the same real stack.
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
  ],
};
