import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment } from 'jest-environment-node';
import { promisify } from 'node:util';
import { exitPromptlyWhenIdle } from './prompt-worker-exit';

/** Sockets and child processes take a moment to finish closing after the last `await` of a test. */
const GRACE_MS = 3_000;
/** Requests in flight on the file system or DNS finish by themselves; they are not held open by a test. */
const TRANSIENT = new Set(['FSReqCallback', 'FSReqPromise', 'GetAddrInfoReqWrap', 'CloseReq', 'ShutdownWrap', 'WriteWrap', 'Timeout', 'Immediate']);

interface Handle {
  constructor: { name: string };
  unref?: () => void;
  hasRef?: () => boolean;
  localPort?: number;
  remotePort?: number;
  spawnargs?: string[];
  address?: () => unknown;
  fd?: number;
}

exitPromptlyWhenIdle();

type Timer = NodeJS.Timeout & { [CREATED]?: Error };
const CREATED = Symbol('created at');

/**
 * Node's test environment, plus a check that a test file closes everything it opened: when the file is done, the
 * process must hold no socket, server, child process or timer that the file opened. A leak fails that file, naming
 * what is still open (and, for a timer, where it was set), instead of keeping Jest from exiting with no clue why.
 * It costs little while tests run, unlike `--detectOpenHandles`, which traces every async resource; and with it
 * Jest exits by itself, because what leaked is unreferenced once reported.
 */
export default class LeakCheckingEnvironment extends TestEnvironment {
  private handlesBefore = new Set<Handle>();
  private resourcesBefore = new Map<string, number>();
  private readonly timers = new Set<Timer>();
  /** Once the file is done, a timer it still sets (a loop left polling) must not hold the process. */
  private done = false;
  private readonly testPath: string;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.testPath = context.testPath;
  }

  override async setup(): Promise<void> {
    await super.setup();
    this.handlesBefore = new Set(activeHandles());
    this.resourcesBefore = countByKind(process.getActiveResourcesInfo());
    this.trackTimers();
  }

  override async teardown(): Promise<void> {
    const leaks = await this.leaksAfterGrace();
    this.done = true;
    await super.teardown();
    if (leaks.length === 0) return;
    for (const handle of this.newHandles()) handle.unref?.();
    for (const timer of this.timers) timer.unref();
    const file = this.testPath.replace(`${process.cwd()}/`, '');
    const error = new Error(`${file} left open:\n  ${leaks.join('\n  ')}`);
    // The report says where; a stack of this environment's own frames would only point away from it.
    error.stack = error.message;
    throw error;
  }

  /**
   * Timers are not among Node's listed handles, so the file's own are followed from creation: those the code
   * under test sets through the globals, which is every module Jest loads.
   */
  private trackTimers(): void {
    const global = this.global as unknown as typeof globalThis;
    const { timers } = this;
    const isDone = () => this.done;
    // An error of the tests' own realm: Jest maps its stack back to the TypeScript source.
    const TestError = global.Error;
    const { setTimeout: set, setInterval: every, clearTimeout: clear, clearInterval: clearEvery } = global;
    const remember = (timer: Timer): Timer => {
      if (isDone()) return timer.unref();
      timer[CREATED] = new TestError('set at');
      timers.add(timer);
      return timer;
    };
    const forget = (timer: unknown) => timers.delete(timer as Timer);
    global.setTimeout = Object.assign(
      (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
        const timer: Timer = set(
          (...given: unknown[]) => {
            timers.delete(timer);
            callback(...given);
          },
          ms,
          ...args,
        );
        return remember(timer);
      },
      // `util.promisify(setTimeout)` keeps working.
      { [promisify.custom]: (set as unknown as Record<symbol, unknown>)[promisify.custom] },
    ) as unknown as typeof setTimeout;
    global.setInterval = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) =>
      remember(every(callback, ms, ...args))) as typeof setInterval;
    global.clearTimeout = ((timer?: NodeJS.Timeout | string | number) => {
      forget(timer);
      clear(timer as NodeJS.Timeout);
    }) as typeof clearTimeout;
    global.clearInterval = ((timer?: NodeJS.Timeout | string | number) => {
      forget(timer);
      clearEvery(timer as NodeJS.Timeout);
    }) as typeof clearInterval;
  }

  private async leaksAfterGrace(): Promise<string[]> {
    const deadline = Date.now() + GRACE_MS;
    for (;;) {
      const leaks = this.leaks();
      if (leaks.length === 0 || Date.now() > deadline) return leaks;
      await new Promise((resolve) => setTimeout(resolve, 50).unref());
    }
  }

  private leaks(): string[] {
    const leaks = this.newHandles().map(describeHandle);
    for (const timer of this.timers) {
      if (!timer.hasRef()) continue;
      const where = (timer[CREATED]?.stack ?? '').split('\n').slice(2).find((line) => !line.includes('node_modules') && !line.includes('leak-checking'));
      leaks.push(`a timer, set ${where?.trim() ?? 'by a dependency'}`);
    }
    // Anything else Node counts as holding the process open, by kind, as a last resort.
    for (const [kind, count] of countByKind(process.getActiveResourcesInfo())) {
      const extra = count - (this.resourcesBefore.get(kind) ?? 0);
      if (extra > 0 && !TRANSIENT.has(kind) && !kind.endsWith('Wrap')) leaks.push(`${extra} × ${kind}`);
    }
    return leaks;
  }

  private newHandles(): Handle[] {
    return activeHandles().filter((handle) => !this.handlesBefore.has(handle) && handle.hasRef?.() !== false);
  }
}

function activeHandles(): Handle[] {
  const handles = (process as unknown as { _getActiveHandles(): Handle[] })._getActiveHandles();
  // Standard streams are the process's own.
  return handles.filter((handle) => !(handle.fd !== undefined && handle.fd <= 2));
}

function countByKind(kinds: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** What a handle is, as far as Node tells: enough to find the test that opened it. */
function describeHandle(handle: Handle): string {
  const kind = handle.constructor.name;
  if (handle.spawnargs) return `${kind}: ${handle.spawnargs.join(' ').slice(0, 200)}`;
  if (handle.remotePort !== undefined) return `${kind}: port ${handle.localPort} → ${handle.remotePort}`;
  if (typeof handle.address === 'function') return `${kind}: listening on ${JSON.stringify(handle.address())}`;
  return kind;
}
