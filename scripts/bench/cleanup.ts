type Closer = () => unknown;

/**
 * Everything the bench (or npm run test:compose) starts registers how to stop it here, and is stopped in reverse
 * order whatever happens: a failed run or Ctrl-C must not leave a Redis, a vault or a compose project behind.
 */
export class Cleanup {
  private readonly closers: Closer[] = [];
  private running: Promise<void> | null = null;

  /** `name` is the program's, for the line a failed step writes. */
  constructor(private readonly name = 'bench') {}

  add(closer: Closer): void {
    this.closers.push(closer);
  }

  /** Safe to call more than once (an interrupt during the normal shutdown): the second call waits for the first. */
  run(): Promise<void> {
    this.running ??= this.closeAll();
    return this.running;
  }

  private async closeAll(): Promise<void> {
    for (let closer = this.closers.pop(); closer; closer = this.closers.pop()) {
      try {
        await closer();
      } catch (error) {
        // Going on matters more than this one failure: the rest must still be stopped.
        process.stderr.write(`${this.name}: cleanup step failed: ${(error as Error).message}\n`);
      }
    }
  }
}
