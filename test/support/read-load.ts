import { Agent, request } from 'node:http';

/** What became of one read: its answer, or the error of its connection. */
export interface ReadOutcome {
  /** Which of the targets it went to, by index. */
  target: number;
  /** The X-Request-Id it was sent with, which the vault logs with the request. */
  id: string;
  /** Date.now() when it was sent. */
  sentAt: number;
  /** Date.now() when it ended. */
  at: number;
  status?: number;
  /** The answer's Connection header. */
  connection?: string;
  /** The connection's error code (ECONNREFUSED, ECONNRESET, …) when there was no answer. */
  error?: string;
}

/** After a connection error, so that a refused target is not asked thousands of times a second. */
const PAUSE_AFTER_ERROR_MS = 20;

/**
 * Token reads sent without pause to each target by a few workers, as a fleet of strategy services does: over
 * kept-alive connections (Node's Agent), each read with its own request id, each outcome recorded. It neither
 * retries nor moves to another target: what a replica does to its clients shows as it is.
 */
export class ReadLoad {
  readonly outcomes: ReadOutcome[] = [];
  private running = true;
  private readonly agents: Agent[];
  private readonly workers: Promise<void>[];

  constructor(
    private readonly targets: readonly string[],
    private readonly path: string,
    private readonly key: string,
    workersPerTarget = 3,
  ) {
    this.agents = targets.map(() => new Agent({ keepAlive: true }));
    this.workers = targets.flatMap((_, target) => Array.from({ length: workersPerTarget }, (__, worker) => this.work(target, worker)));
  }

  of(target: number): ReadOutcome[] {
    return this.outcomes.filter((outcome) => outcome.target === target);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
    for (const agent of this.agents) agent.destroy();
  }

  private async work(target: number, worker: number): Promise<void> {
    for (let sequence = 0; this.running; sequence += 1) {
      const outcome = await this.read(target, `load-${target}-${worker}-${sequence}`);
      this.outcomes.push(outcome);
      if (outcome.error) await new Promise((resolve) => setTimeout(resolve, PAUSE_AFTER_ERROR_MS));
    }
  }

  private read(target: number, id: string): Promise<ReadOutcome> {
    const sentAt = Date.now();
    return new Promise((resolve) => {
      const sent = request(
        `${this.targets[target]}${this.path}`,
        { agent: this.agents[target], headers: { authorization: `Bearer ${this.key}`, 'x-request-id': id } },
        (response) => {
          response.resume();
          response.on('end', () =>
            resolve({ target, id, sentAt, at: Date.now(), status: response.statusCode, connection: String(response.headers.connection ?? '') }),
          );
          response.on('error', (error: NodeJS.ErrnoException) => resolve({ target, id, sentAt, at: Date.now(), error: error.code ?? error.message }));
        },
      );
      sent.on('error', (error: NodeJS.ErrnoException) => resolve({ target, id, sentAt, at: Date.now(), error: error.code ?? error.message }));
      sent.end();
    });
  }
}
