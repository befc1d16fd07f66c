import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The files of swagger-ui-dist the docs page loads, by the name it asks for them. */
export const DOCS_ASSETS = {
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
} as const;
export type DocsAsset = keyof typeof DOCS_ASSETS;

/**
 * Where the assets are: beside the bundle (scripts/bundle.mjs copies them to dist/docs/, the image has nothing
 * else), or in node_modules when the sources run unbundled (tests, tsc's output).
 */
function assetDirectories(): string[] {
  const directories = [join(__dirname, 'docs')];
  try {
    directories.push(dirname(require.resolve('swagger-ui-dist/package.json')));
  } catch {
    // Not installed: the bundle's copy is the only one.
  }
  return directories;
}

/** Each asset read once, on its first request: the script is over a megabyte that most runs never serve. */
export class DocsAssets {
  private readonly cache = new Map<DocsAsset, Buffer>();

  read(name: DocsAsset): Buffer {
    let content = this.cache.get(name);
    if (content === undefined) {
      content = readFirst(assetDirectories().map((directory) => join(directory, name)));
      this.cache.set(name, content);
    }
    return content;
  }
}

function readFirst(paths: string[]): Buffer {
  for (const path of paths) {
    try {
      return readFileSync(path);
    } catch {
      // Try the next place.
    }
  }
  throw new Error(`the docs page's assets are missing: looked in ${paths.join(', ')}`);
}
