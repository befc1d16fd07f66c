import { VaultToken } from './vault-answers';

interface Entry {
  token: VaultToken;
  /** On the client's clock (ms): the token is dead by then at the latest. */
  deadline: number;
}

/**
 * The tokens this client holds, each with the moment it surely expires on the client's own monotonic clock:
 * the time its request was sent plus the `expiresIn` the vault answered. Counting from the sending (not the
 * answer, nor the vault's `expiresAt`) keeps a slow answer or a host clock that is off from stretching a token's
 * life past its real end.
 */
export class TokenCache {
  /** By the account as the caller named it (`Account.key`). */
  private readonly entries = new Map<string, Entry>();
  /**
   * So that a fetch begun before a drop cannot put back what was dropped: a count for each name, bumped by a drop of
   * that name (a 404, a refusal, a report), and one for every account, bumped by a drop by the vault's name of an
   * account (an event), which cannot tell which fetch in flight is for it. A drop of one name leaves the others'
   * fetches to be kept.
   */
  private readonly epochs = new Map<string, number>();
  private generation = 0;

  constructor(private readonly marginMs: number) {}

  /** A token to hand out without asking the vault: more than the margin from its end. */
  fresh(key: string, now: number): VaultToken | undefined {
    const entry = this.entries.get(key);
    return entry && now < entry.deadline - this.marginMs ? view(entry, now) : undefined;
  }

  /** A token not yet dead, margin or not: what a failed refresh may still hand out. */
  live(key: string, now: number): VaultToken | undefined {
    const entry = this.entries.get(key);
    return entry && now < entry.deadline ? view(entry, now) : undefined;
  }

  /** What a fetch of `key` starting now must show `keep` for its token to be kept. */
  ticket(key: string): string {
    return `${this.epochs.get(key) ?? 0}:${this.generation}`;
  }

  keep(key: string, token: VaultToken, sentAt: number, ticket: string): void {
    if (ticket !== this.ticket(key)) return;
    this.entries.set(key, { token, deadline: sentAt + token.expiresIn * 1000 });
  }

  /** The token kept under the caller's name of an account. */
  drop(key: string): void {
    this.entries.delete(key);
    this.epochs.set(key, (this.epochs.get(key) ?? 0) + 1);
  }

  /** The tokens of an account as the vault names it (an event's `clientId`), under whatever name they were asked for. */
  dropAccount(clientId: string): void {
    for (const [key, entry] of this.entries) {
      if (key === clientId || entry.token.clientId === clientId) this.entries.delete(key);
    }
    this.generation += 1;
  }

  dropAll(): void {
    this.entries.clear();
    this.generation += 1;
  }
}

/** A copy for one caller: what one does to its Dates is not what the next is handed. */
function view({ token, deadline }: Entry, now: number): VaultToken {
  return {
    ...token,
    issuedAt: new Date(token.issuedAt.getTime()),
    expiresAt: new Date(token.expiresAt.getTime()),
    expiresIn: Math.max(0, Math.floor((deadline - now) / 1000)),
  };
}
