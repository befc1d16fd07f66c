import { BrokerAccount, BrokerAdapter, BrokerGrant, CallbackOutcome, LoginStart } from '../../src/brokers/broker-adapter';
import { BrokerError, BrokerFailure } from '../../src/brokers/broker-error';
import { DailyCutoff } from '../../src/clock/daily-cutoff';

/**
 * A broker (Pocketful by name) whose whoami answers what the test says of each token: an account id (upper case), or
 * a failure (unauthorized when the test said nothing). `hold()` keeps the next answers back until `release()`, for a
 * check caught in the middle. Its login is not used: the specs that take it verify tokens already stored.
 */
export class WhoamiStubBroker extends BrokerAdapter {
  readonly id = 'pocketful';
  readonly displayName = 'Pocketful';
  readonly cutoff = DailyCutoff.MIDNIGHT;
  /** The tokens whoami was asked about, in order. */
  readonly asked: string[] = [];
  readonly answers = new Map<string, string | BrokerFailure>();
  private gate: Promise<void> | null = null;
  private open: () => void = () => undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.gate = null;
    this.open();
  }

  async whoami(accessToken: string): Promise<BrokerAccount> {
    this.asked.push(accessToken);
    if (this.gate) await this.gate;
    const answer = this.answers.get(accessToken) ?? 'unauthorized';
    if (answer === answer.toUpperCase()) return { account: answer };
    throw new BrokerError(answer as BrokerFailure, `the stub broker says ${answer}`);
  }

  loginStart(): LoginStart {
    throw new Error('not used');
  }

  readCallback(): CallbackOutcome {
    throw new Error('not used');
  }

  exchange(): Promise<BrokerGrant> {
    throw new Error('not used');
  }
}
