import { replyWord } from './redis-failure';

export type Verdict =
  | { kind: 'master'; replicas: number }
  | { kind: 'replica' }
  /** Redis refused what the vault needs of it: a fault of configuration, which waiting will not mend. */
  | { kind: 'unfit'; problem: string };

type Send = <T>(name: string, ...args: Array<string | number>) => Promise<T>;

/**
 * What a connection must show before the vault uses it, asked when it connects and by every probe: the database
 * REDIS_URL names is the one selected (ioredis selects it while connecting, and if Redis refuses, only says so in
 * an event and goes on in database 0), and the node is the master, with how many replicas (token writes then wait
 * for one of them). Throws when Redis does not answer.
 */
export class ConnectionCheck {
  /** The database was selected on this connection; asked again after each reconnect. */
  private databaseSelected: boolean;

  constructor(
    private readonly database: number,
    private readonly send: Send,
  ) {
    this.databaseSelected = database === 0;
  }

  /** A new connection: its database is not known to be the right one until it is selected again. */
  connectionReset(): void {
    this.databaseSelected = this.database === 0;
  }

  async verify(): Promise<Verdict> {
    if (!this.databaseSelected) {
      const refused = await this.refusal(() => this.send('select', this.database));
      if (refused !== null) {
        const detail = /out of range/i.test(refused.message) ? 'this Redis has fewer databases' : refused.word;
        return { kind: 'unfit', problem: `Redis refused SELECT ${this.database} (${detail}): REDIS_URL names a database this Redis does not have` };
      }
      this.databaseSelected = true;
    }
    let reply: unknown[] = [];
    const refused = await this.refusal(async () => (reply = await this.send<unknown[]>('role')));
    if (refused !== null) return { kind: 'unfit', problem: `Redis refused ROLE (${refused.word}): the vault cannot tell a master from a replica; allow ROLE to its user` };
    if (reply[0] !== 'master') return { kind: 'replica' };
    return { kind: 'master', replicas: Array.isArray(reply[2]) ? reply[2].length : 0 };
  }

  /** Redis's refusal of a command, by its first word; anything else (no answer) is thrown on. */
  private async refusal(command: () => Promise<unknown>): Promise<{ word: string; message: string } | null> {
    try {
      await command();
      return null;
    } catch (error) {
      const word = replyWord(error);
      if (word === null || word === 'NOAUTH' || word === 'LOADING' || word === 'BUSY') throw error;
      return { word, message: String((error as Error).message) };
    }
  }
}
