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
  private readonly entries = new Map<string, Entry>();
  /** Bumped by each drop, so that a fetch begun before a drop cannot put back what was dropped. */
  private readonly epochs = new Map<string, number>();

  constructor(private readonly marginMs: number) {}

  /** A token to hand out without asking the vault: more than the margin from its end. */
  fresh(clientId: string, now: number): VaultToken | undefined {
    const entry = this.entries.get(clientId);
    return entry && now < entry.deadline - this.marginMs ? view(entry, now) : undefined;
  }

  /** A token not yet dead, margin or not: what a failed refresh may still hand out. */
  live(clientId: string, now: number): VaultToken | undefined {
    const entry = this.entries.get(clientId);
    return entry && now < entry.deadline ? view(entry, now) : undefined;
  }

  /** What a fetch starting now must show `keep` for its token to be kept. */
  ticket(clientId: string): number {
    return this.epochs.get(clientId) ?? 0;
  }

  keep(clientId: string, token: VaultToken, sentAt: number, ticket: number): void {
    if (ticket !== this.ticket(clientId)) return;
    this.entries.set(clientId, { token, deadline: sentAt + token.expiresIn * 1000 });
  }

  drop(clientId: string): void {
    this.entries.delete(clientId);
    this.epochs.set(clientId, this.ticket(clientId) + 1);
  }
}

function view({ token, deadline }: Entry, now: number): VaultToken {
  return { ...token, expiresIn: Math.max(0, Math.floor((deadline - now) / 1000)) };
}
