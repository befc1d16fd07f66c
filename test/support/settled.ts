/** What a call came to: its answer, or the error it threw, so that a test can compare either with what it expects. */
export async function settled<T>(promise: Promise<T>): Promise<T | unknown> {
  try {
    return await promise;
  } catch (error) {
    return error;
  }
}
