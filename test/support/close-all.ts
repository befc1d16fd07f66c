/**
 * Closes each thing in order, going on when one of them fails, then throws the first failure: a test's cleanup
 * must not leave Redis running because the vault before it failed to close.
 */
export async function closeAll(...closers: Array<() => unknown>): Promise<void> {
  const failures: unknown[] = [];
  for (const close of closers) {
    try {
      await close();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/**
 * What `work` makes, or, when it fails, the failure once `close` has closed what was opened before it: a set-up
 * that stops half-way leaves nothing running.
 */
export async function closingOnFailure<T>(work: () => Promise<T>, close: () => unknown): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await Promise.resolve().then(close).catch(() => undefined);
    throw error;
  }
}
