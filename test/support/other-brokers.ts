import { Clock } from '../../src/clock/clock';
import { closeAll, closingOnFailure } from './close-all';
import { FakeFyers } from './fake-fyers';
import { FakeUpstox } from './fake-upstox';
import { FakeZerodha } from './fake-zerodha';

export interface OtherBrokersOptions {
  /** The brokers' own clock, the vault's when given: a token then dies when the vault's clock says it does. */
  clock?: Clock;
  /** Upstox's tokens end this long after issue when that comes before its cut-off, as a revoked one would. */
  upstoxTokenLifetimeMs?: number;
}

/**
 * Zerodha, Upstox and Fyers, each on a local port of its own, and the variables that turn each on in a vault and
 * point it there. `stop` closes all three.
 */
export class OtherBrokers {
  private constructor(
    readonly zerodha: FakeZerodha,
    readonly upstox: FakeUpstox,
    readonly fyers: FakeFyers,
  ) {}

  static async start(options: OtherBrokersOptions = {}): Promise<OtherBrokers> {
    const { clock } = options;
    const now = clock ? () => clock.now().getTime() : Date.now;
    const zerodha = await new FakeZerodha({ now }).start();
    const upstox = await closingOnFailure(() => new FakeUpstox({ now, tokenLifetimeMs: options.upstoxTokenLifetimeMs }).start(), () => zerodha.stop());
    const fyers = await closingOnFailure(
      () => new FakeFyers({ now }).start(),
      () => closeAll(() => upstox.stop(), () => zerodha.stop()),
    );
    return new OtherBrokers(zerodha, upstox, fyers);
  }

  /** The variables that turn all three on beside the default broker. */
  get variables(): Record<string, string> {
    return { ...this.zerodha.variables, ...this.upstox.variables, ...this.fyers.variables };
  }

  /** A live access token each broker accepts for `account`, as its login would have given it. */
  tokenOf(broker: 'zerodha' | 'upstox' | 'fyers', account: string): string {
    if (broker === 'zerodha') return this.zerodha.accessTokenFor(account);
    if (broker === 'upstox') return this.upstox.sandbox.mintToken(account);
    return this.fyers.sandbox.issueToken(account);
  }

  /** The person logs in as `account` at the broker's login page `location`: where the browser is sent back to. */
  approve(broker: 'zerodha' | 'upstox' | 'fyers', location: URL, account: string): URL {
    if (broker === 'zerodha') return this.zerodha.login(location, account);
    return broker === 'upstox' ? this.upstox.approve(location, account) : this.fyers.approve(location, account);
  }

  /** Every secret the brokers' apps were configured with. */
  get secrets(): string[] {
    return [this.zerodha.options.apiSecret, this.upstox.options.apiSecret, this.fyers.options.appSecret];
  }

  stop(): Promise<void> {
    return closeAll(
      () => this.fyers.stop(),
      () => this.upstox.stop(),
      () => this.zerodha.stop(),
    );
  }
}
