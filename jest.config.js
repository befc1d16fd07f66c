/**
 * Unit specs live beside the code, and the checks of the repository's own files (architecture, README, compose,
 * bundle) under test/static/; end-to-end tests, which start redis-server and HTTP servers, under test/.
 *
 * The suites that depend on the time of day run three times, each standing on another base instant
 * (test/support/test-time.ts): the real now, the last second-but-ten of this month, and of this year, in India.
 * Every file runs in an environment that fails it if it leaves a socket, server, child or timer open.
 */
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  '^.+\\.lua$': '<rootDir>/test/support/text-transformer.js',
};
const common = {
  testEnvironment: '<rootDir>/test/support/leak-checking-environment.ts',
  transform,
  setupFiles: ['reflect-metadata'],
};
// alerts-scale is left to the plain run: its 10,000-account scans measure the event loop's stalls, which three copies
// at once on two cores would only blur; alerts covers the alert schedule at every base.
const TIME_DEPENDENT = ['store-contract', 'tokens-api', 'login', 'alerts', 'time-zone'].map(
  (name) => `<rootDir>/test/${name}.e2e-spec.ts`,
);

const e2e = { ...common, setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'] };

const atBase = (base) => ({
  ...e2e,
  displayName: `e2e@${base}`,
  roots: ['<rootDir>/test'],
  testMatch: TIME_DEPENDENT,
  globals: { TEST_BASE_TIME: base },
  slowTestThreshold: 20,
});

module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Each file's Nest app and module graph leave some of a worker's heap behind: past a gigabyte by the end of a run.
  // Such a worker, with no handle left open, at times took longer to exit than the half second Jest waits for it,
  // which Jest reports as a worker that "failed to exit gracefully". Past this, a worker is replaced between files;
  // and a worker at its end leaves its heap to the system (test/support/prompt-worker-exit.ts).
  workerIdleMemoryLimit: '600MB',
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/src', '<rootDir>/test'],
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/support/**/*.spec.ts', '<rootDir>/test/static/**/*.spec.ts'],
    },
    {
      ...e2e,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      slowTestThreshold: 20,
    },
    atBase('month-end'),
    atBase('year-end'),
  ],
};
