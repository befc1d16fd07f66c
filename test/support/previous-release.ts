import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Made by scripts/previous-release.mjs; its README names the commit. */
const FIXTURE = join(__dirname, '..', 'fixtures', 'previous-release', 'vault.js.gz');

/** The previous release's vault bundle, unpacked into a folder of its own for `node` to run; `remove` deletes the folder. */
export interface PreviousRelease {
  bundle: string;
  remove(): void;
}

/** Unpacks test/fixtures/previous-release/vault.js.gz: the test needs no git history, only the committed file. */
export function unpackPreviousRelease(): PreviousRelease {
  const dir = mkdtempSync(join(tmpdir(), 'token-vault-previous-release-'));
  const bundle = join(dir, 'vault.js');
  try {
    writeFileSync(bundle, gunzipSync(readFileSync(FIXTURE)));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { bundle, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
