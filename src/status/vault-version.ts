/**
 * The version in package.json. A require rather than a file read: esbuild writes the manifest into dist/vault.js,
 * which the image runs with no package.json beside it; src/ and dist/ sit at the same depth, so the path holds for
 * the sources, tsc's output and the bundle alike.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VAULT_VERSION: string = (require('../../package.json') as { version: string }).version;

/** Written into the bundle by scripts/bundle.mjs when git could say the commit; absent from any other build. */
declare const __VAULT_REVISION__: string | undefined;

/** The commit the bundle was built from (`-dirty` when files git tracks differed from it), or undefined when unknown. */
export const VAULT_REVISION: string | undefined = typeof __VAULT_REVISION__ === 'string' ? __VAULT_REVISION__ : undefined;
