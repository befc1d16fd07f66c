import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModuleKind, transpileModule } from 'typescript';

/** The module as the child runs it: compiled here, since a plain `node` does not read TypeScript. */
const MODULE = transpileModule(readFileSync(join(__dirname, 'prompt-worker-exit.ts'), 'utf8'), {
  compilerOptions: { module: ModuleKind.CommonJS },
}).outputText;

/**
 * A process that, once its loop is empty, would be brought back by a timer set on `beforeExit`: ending at once means
 * that the timer never fires. It registers twice, as a worker that loaded the environment twice would.
 */
const CHILD = `
const module = { exports: {} };
new Function('module', 'exports', ${JSON.stringify(MODULE)})(module, module.exports);
module.exports.exitPromptlyWhenIdle();
module.exports.exitPromptlyWhenIdle();
process.exitCode = 3;
process.once('beforeExit', () => setTimeout(() => process.stdout.write('brought back\\n'), 10));
process.stdout.write(process.listenerCount('beforeExit') + ' listeners\\n');
`;

async function runChild(withParentChannel: boolean): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'pipe', 'inherit', ...(withParentChannel ? ['ipc' as const] : [])] });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const [code] = await once(child, 'exit');
  return { code, stdout };
}

describe('exitPromptlyWhenIdle', () => {
  it('in a worker, a child with a channel to its parent: exits with its exit code once the loop is empty, registered once', async () => {
    expect(await runChild(true)).toEqual({ code: 3, stdout: '2 listeners\n' });
  });

  it('in a process of its own: changes nothing, and the process ends as Node ends it', async () => {
    expect(await runChild(false)).toEqual({ code: 3, stdout: '1 listeners\nbrought back\n' });
  });
});
