/** Unit specs live beside the code; end-to-end tests, which start redis-server and HTTP servers, under test/. */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      setupFiles: ['reflect-metadata'],
      roots: ['<rootDir>/src', '<rootDir>/test'],
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      setupFiles: ['reflect-metadata'],
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      slowTestThreshold: 20,
    },
  ],
};
