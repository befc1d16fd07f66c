/**
 * The version in package.json. A require rather than a file read: esbuild writes the manifest into dist/vault.js,
 * which the image runs with no package.json beside it; src/ and dist/ sit at the same depth, so the path holds for
 * the sources, tsc's output and the bundle alike.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VAULT_VERSION: string = (require('../../package.json') as { version: string }).version;
