/**
 * Waits for a condition, asking every 50 ms; a check that throws counts as not yet. It gives up after `timeoutMs`
 * with an error, so that a test waiting on something that never happens fails instead of polling forever.
 */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await Promise.resolve().then(check).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} was not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
