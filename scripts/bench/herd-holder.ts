import { connect, Socket } from 'node:net';
import { Pool } from 'undici';

/** One request the holder keeps open: a read with `?wait` or an event stream, on a connection of its own. */
export interface HeldTarget {
  kind: 'wait' | 'events';
  /** A wait's connection kept alive once answered, or closed by the vault (Connection: close). */
  keepAlive: boolean;
  port: number;
  account: string;
  key: string;
}

export type HolderOrder =
  /** Plain reads, a few connections at a time, before anything is measured: see run-herd.ts. */
  | { kind: 'warm'; port: number; path: string; key: string; reads: number }
  | { kind: 'hold'; targets: HeldTarget[] }
  /** The account whose login is about to be sent: its targets are told of once all have their token. */
  | { kind: 'expect'; account: string }
  | { kind: 'report' };

/** When a target's token came, on process.hrtime's clock, which is the machine's monotonic clock: the same in every process. */
export interface Arrival {
  kind: HeldTarget['kind'];
  account: string;
  port: number;
  /** Nanoseconds, as text (a bigint does not cross the IPC channel); null when it never came. */
  at: string | null;
  /** What came instead: a status other than 200, a stream that ended, a connection error. */
  failure: string | null;
}

export type HolderReply =
  | { kind: 'warm' }
  | { kind: 'sent' }
  | { kind: 'done'; account: string }
  | { kind: 'report'; arrivals: Arrival[] }
  | { kind: 'failed'; error: string };

const ACCEPT = { wait: 'application/json', events: 'text/event-stream' } as const;

/** Connections opened at once: a replica's accept queue (511) must not overflow, or the kernel delays a connect by a second. */
const OPENING_AT_ONCE = 64;

/**
 * A load generator of the herd bench, in a process of its own so that the process that sends the login and keeps
 * the time is not the one that receives a thousand answers. Each request is written by hand on a bare socket and
 * its answer recognised in the bytes as they come: the least work between a byte arriving and its time being taken.
 * Nothing of a token is kept or sent back, only when it came.
 */
class Holder {
  private readonly held: Array<{ target: HeldTarget; arrival: Arrival; socket: Socket }> = [];
  /** Per account, the targets still without their token or a failure. */
  private readonly waiting = new Map<string, number>();
  private expected: string | null = null;

  constructor(private readonly send: (reply: HolderReply) => void) {}

  async warm(port: number, path: string, key: string, reads: number): Promise<void> {
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 16 });
    try {
      let next = 0;
      const worker = async () => {
        while (next < reads) {
          next += 1;
          const { statusCode, body } = await pool.request({ path, method: 'GET', headers: { authorization: `Bearer ${key}` } });
          await body.dump();
          if (statusCode !== 200) throw new Error(`a warm-up read answered ${statusCode}`);
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
    } finally {
      await pool.destroy();
    }
  }

  async hold(targets: HeldTarget[]): Promise<void> {
    for (let start = 0; start < targets.length; start += OPENING_AT_ONCE) {
      await Promise.all(targets.slice(start, start + OPENING_AT_ONCE).map((target) => this.open(target)));
    }
  }

  expect(account: string): void {
    this.expected = account;
    this.check();
  }

  report(): Arrival[] {
    for (const { socket } of this.held) socket.destroy();
    return this.held.map(({ arrival }) => arrival);
  }

  private open(target: HeldTarget): Promise<void> {
    return new Promise((resolve, reject) => {
      const arrival: Arrival = { kind: target.kind, account: target.account, port: target.port, at: null, failure: null };
      this.waiting.set(target.account, (this.waiting.get(target.account) ?? 0) + 1);
      const socket = connect(target.port, '127.0.0.1');
      socket.setNoDelay(true);
      const entry = { target, arrival, socket };
      const path = target.kind === 'wait' ? `/v1/tokens/${target.account}?wait=30` : '/v1/events';
      socket.once('connect', () => {
        const connection = target.kind === 'wait' && !target.keepAlive ? 'Connection: close\r\n' : '';
        socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\nAuthorization: Bearer ${target.key}\r\nAccept: ${ACCEPT[target.kind]}\r\n${connection}\r\n`);
        this.held.push(entry);
        resolve();
      });
      socket.once('error', (error) => {
        if (!this.held.includes(entry)) reject(error);
        this.fail(arrival, (error as NodeJS.ErrnoException).code ?? error.message);
      });
      const recognise = target.kind === 'wait' ? readAnswer() : readStream(target.account);
      socket.on('data', (chunk: Buffer) => {
        if (arrival.at !== null || arrival.failure !== null) return;
        const seen = recognise(chunk.toString('latin1'));
        if (seen === null) return;
        if (seen !== 'token') return this.fail(arrival, seen);
        arrival.at = String(process.hrtime.bigint());
        this.settled(arrival);
      });
      socket.once('end', () => {
        if (arrival.at === null) this.fail(arrival, 'closed before its token came');
      });
    });
  }

  private fail(arrival: Arrival, why: string): void {
    if (arrival.at !== null || arrival.failure !== null) return;
    arrival.failure = why;
    this.settled(arrival);
  }

  private settled(arrival: Arrival): void {
    this.waiting.set(arrival.account, this.waiting.get(arrival.account)! - 1);
    this.check();
  }

  /** Once every target of the expected account has its token, or has failed, the bench is told. */
  private check(): void {
    const account = this.expected;
    if (account === null) return;
    if ((this.waiting.get(account) ?? 0) > 0) return;
    this.expected = null;
    this.send({ kind: 'done', account });
  }
}

/**
 * A held read's answer, recognised once whole: its status line, then as many body bytes as Content-Length says.
 * 'token' for a 200 whose body is a token, else what came.
 */
function readAnswer(): (text: string) => string | null {
  let received = '';
  return (text) => {
    received += text;
    const headerEnd = received.indexOf('\r\n\r\n');
    if (headerEnd < 0) return null;
    const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 'no status';
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(received.slice(0, headerEnd))?.[1] ?? Number.NaN);
    if (!(received.length - headerEnd - 4 >= length)) return null;
    const body = received.slice(headerEnd + 4);
    return status === '200' && body.includes('"accessToken":"') ? 'token' : `answered ${status}`;
  };
}

/** An event stream, until its account's token.stored event; a refusal before the stream opens is what came. */
function readStream(account: string): (text: string) => string | null {
  const stored = `event: token.stored\ndata: {"clientId":"${account}"`;
  let received = '';
  let opened = false;
  return (text) => {
    received += text;
    if (!opened) {
      const headerEnd = received.indexOf('\r\n\r\n');
      if (headerEnd < 0) return null;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 'no status';
      if (status !== '200') return `answered ${status}`;
      opened = true;
    }
    if (received.includes(stored)) return 'token';
    // Only the end of what came can still begin the event.
    received = received.slice(-stored.length);
    return null;
  };
}

/** Forked by run-herd.ts; answers each order over the IPC channel, and exits when the bench goes. */
function serve(): void {
  const send = (reply: HolderReply) => process.send!(reply);
  const holder = new Holder(send);
  const fail = (error: unknown) => send({ kind: 'failed', error: error instanceof Error ? error.message : String(error) });
  process.once('disconnect', () => process.exit(0));
  process.on('message', (order: HolderOrder) => {
    switch (order.kind) {
      case 'warm':
        holder.warm(order.port, order.path, order.key, order.reads).then(() => send({ kind: 'warm' }), fail);
        break;
      case 'hold':
        holder.hold(order.targets).then(() => send({ kind: 'sent' }), fail);
        break;
      case 'expect':
        holder.expect(order.account);
        break;
      case 'report':
        send({ kind: 'report', arrivals: holder.report() });
        break;
    }
  });
}

if (require.main === module) serve();
