import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { Cleanup } from './cleanup';
import type { HolderOrder, HolderReply } from './herd-holder';

type Answer<K extends HolderReply['kind']> = Extract<HolderReply, { kind: K }>;

/**
 * A herd holder (herd-holder.ts) in a process of its own. Every order gets one reply, in order (an `expect` its
 * `done`), and the bench gives one order at a time to each holder, so a reply always answers the order before it.
 */
export class HolderProcess {
  private readonly replies: HolderReply[] = [];
  private waiting: ((reply: HolderReply) => void) | null = null;
  private gone: string | null = null;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: HolderReply) => this.hand(reply));
    child.once('exit', (code, signal) => {
      this.gone = `the herd holder exited (${signal ?? code})`;
      this.hand({ kind: 'failed', error: this.gone });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  static start(cleanup: Cleanup): HolderProcess {
    const child = fork(join(__dirname, 'herd-holder.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    cleanup.add(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    });
    return new HolderProcess(child);
  }

  /** Sends the order, and waits for its reply (up to `withinMs`). Keys go over the IPC channel, never on a command line. */
  async order<K extends HolderReply['kind']>(order: HolderOrder, reply: K, withinMs = 60_000): Promise<Answer<K>> {
    if (this.gone) throw new Error(this.gone);
    this.child.send(order);
    return this.reply(reply, withinMs);
  }

  private reply<K extends HolderReply['kind']>(kind: K, withinMs: number): Promise<Answer<K>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`the herd holder gave no ${kind} within ${withinMs / 1000} s`));
      }, withinMs);
      this.waiting = (answer) => {
        clearTimeout(timer);
        if (answer.kind === 'failed') reject(new Error(`the herd holder failed: ${answer.error}`));
        else if (answer.kind !== kind) reject(new Error(`the herd holder answered ${answer.kind} where ${kind} was due`));
        else resolve(answer as Answer<K>);
      };
      this.pass();
    });
  }

  private hand(reply: HolderReply): void {
    this.replies.push(reply);
    this.pass();
  }

  private pass(): void {
    if (this.waiting === null || this.replies.length === 0) return;
    const waiting = this.waiting;
    this.waiting = null;
    waiting(this.replies.shift()!);
  }
}
