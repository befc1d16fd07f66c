/**
 * An end-to-end test starts processes and servers, at times one after another: on two cores shared with two other
 * test files, a few node processes loading their modules outlast Jest's default of five seconds. (`testTimeout` is
 * Jest's for the whole run, not a project's.) Tests that need longer still say so.
 */
jest.setTimeout(30_000);
