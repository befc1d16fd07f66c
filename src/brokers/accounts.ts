import { isClientId, normalizeClientId } from './client-id';
import { BrokerId } from './broker-adapter';

export const BROKER_IDS: readonly BrokerId[] = ['pocketful', 'zerodha', 'upstox', 'fyers', 'dhan'];

export function isBrokerId(value: unknown): value is BrokerId {
  return typeof value === 'string' && (BROKER_IDS as readonly string[]).includes(value);
}

/** Where a person logs in to a broker on the vault: OpenAlgo's path, `/zerodha/login`. */
export const brokerLoginPath = (broker: BrokerId): string => `/${broker}/login`;

/**
 * How the vault writes an account: `broker:id`, except the default broker's (the one BROKER_API_KEY and
 * REDIRECT_URL configure), written bare (`YA0002`) as before brokers were named, so that every token, key scope
 * and ALLOWED_CLIENT_IDS written then still names the same account. Every place that takes an account reads it
 * here, so `pocketful:YA0002`, `ya0002` and `YA0002` are one account when Pocketful is the default, and a scope of
 * `zerodha:AB1234` never matches `upstox:AB1234`.
 */
export class Accounts {
  constructor(readonly defaultBroker: BrokerId) {}

  /** The canonical account, or null when the value is no account (unknown broker, an id outside 1–32 of A-Z 0-9 - _). */
  parse(value: unknown): string | null {
    if (typeof value !== 'string') return null;
    const colon = value.indexOf(':');
    if (colon === -1) return this.of(this.defaultBroker, value);
    const broker = value.slice(0, colon).toLowerCase();
    return isBrokerId(broker) ? this.of(broker, value.slice(colon + 1)) : null;
  }

  /**
   * The account a broker's route names by its two segments (`/v1/tokens/zerodha/AB1234`), or null. The broker comes
   * only from its own segment: an id holding a `:` (`zerodha/upstox:AB1234`) names no account, so it can never name
   * another broker's.
   */
  fromPath(broker: unknown, id: unknown): string | null {
    if (typeof broker !== 'string' || typeof id !== 'string' || broker.includes(':') || id.includes(':')) return null;
    return this.parse(`${broker}:${id}`);
  }

  /** The canonical account of a broker's id, or null when the id is not one the vault can use. */
  of(broker: BrokerId, id: string): string | null {
    const normalized = normalizeClientId(id);
    if (!isClientId(normalized)) return null;
    return broker === this.defaultBroker ? normalized : `${broker}:${normalized}`;
  }

  /** The broker of a canonical account. */
  brokerOf(account: string): BrokerId {
    const colon = account.indexOf(':');
    const broker = colon === -1 ? this.defaultBroker : account.slice(0, colon);
    return isBrokerId(broker) ? broker : this.defaultBroker;
  }

  /** Where the account is logged in (again): its broker's login page on the vault. */
  loginPathOf(account: string): string {
    return brokerLoginPath(this.brokerOf(account));
  }

  /** The broker's own id of a canonical account (`AB1234` of `zerodha:AB1234`). */
  idOf(account: string): string {
    return account.slice(account.indexOf(':') + 1);
  }

  /** The broker's own ids of those canonical accounts that are its (`AB1234` of `zerodha:AB1234`, none of `YA0002`). */
  idsOf(broker: BrokerId, accounts: readonly string[]): string[] {
    return accounts.filter((account) => this.brokerOf(account) === broker).map((account) => this.idOf(account));
  }
}
