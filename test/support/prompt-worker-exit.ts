/**
 * Jest waits half a second for each worker to end once the run is over, then kills it and warns that a worker "failed
 * to exit gracefully". A worker with nothing left open ends when its event loop is empty, and Node then tears down its
 * heap: hundreds of megabytes of the files it ran, which on two busy cores took about as long as Jest waits.
 * `process.exit` leaves the heap to the operating system, so a worker that has come to its end takes it at once.
 * Only in a worker process: run in band, this is Jest's own process, which ends as Jest decides.
 */
export function exitPromptlyWhenIdle(): void {
  if (typeof process.send !== 'function' || process.listeners('beforeExit').includes(exitNow)) return;
  process.once('beforeExit', exitNow);
}

function exitNow(code: number): never {
  process.exit(code);
}
