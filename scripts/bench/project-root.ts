import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder of package.json above this file, wherever tsc put the compiled copy. */
export function projectRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`${__dirname} is not inside the project`);
  }
}
