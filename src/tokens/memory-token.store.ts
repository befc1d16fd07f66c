import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AccountRecord, StoredToken } from './stored-token';
import { ExpiryEntry, TokenStore } from './token.store';

/** For the demo and for a single process that may lose its tokens on restart. */
@Injectable()
export class MemoryTokenStore extends TokenStore {
  private readonly tokens = new Map<string, StoredToken>();
  private readonly known = new Map<string, Omit<AccountRecord, 'present'>>();
  private readonly expiries = new Map<string, number>();

  constructor(private readonly clock: Clock) {
    super();
  }

  async save(token: StoredToken): Promise<void> {
    this.tokens.set(token.clientId, { ...token });
    const { clientId, issuedAt, expiresAt, source } = token;
    this.known.set(clientId, { clientId, issuedAt, expiresAt, source });
    this.expiries.set(clientId, expiresAt.getTime());
  }

  async find(clientId: string): Promise<StoredToken | null> {
    const token = this.tokens.get(clientId);
    if (!token) return null;
    if (token.expiresAt.getTime() <= this.clock.now().getTime()) {
      this.tokens.delete(clientId);
      return null;
    }
    return { ...token };
  }

  async remove(clientId: string): Promise<boolean> {
    this.expiries.delete(clientId);
    return (await this.find(clientId)) !== null && this.tokens.delete(clientId);
  }

  async removeIfCurrent(token: StoredToken): Promise<boolean> {
    const current = await this.find(token.clientId);
    if (current?.accessToken !== token.accessToken) return false;
    return this.remove(token.clientId);
  }

  async expiringBetween(from: Date, to: Date): Promise<ExpiryEntry[]> {
    return [...this.expiries]
      .filter(([, at]) => at >= from.getTime() && at <= to.getTime())
      .sort(([a, left], [b, right]) => left - right || a.localeCompare(b))
      .map(([clientId, at]) => ({ clientId, expiresAt: new Date(at) }));
  }

  async forgetExpiry(clientId: string, expiresAt: Date): Promise<void> {
    if (this.expiries.get(clientId) === expiresAt.getTime()) this.expiries.delete(clientId);
  }

  async forgetExpiriesBefore(instant: Date): Promise<void> {
    for (const [clientId, at] of this.expiries) if (at < instant.getTime()) this.expiries.delete(clientId);
  }

  async accounts(): Promise<AccountRecord[]> {
    const records: AccountRecord[] = [];
    for (const record of this.known.values()) {
      records.push({ ...record, present: (await this.find(record.clientId)) !== null });
    }
    return records;
  }

  async accountIds(): Promise<string[]> {
    return [...this.known.keys()];
  }

  async keyUsage(): Promise<Record<string, string[]>> {
    return {};
  }

  async reseal(clientId: string): Promise<'current' | 'gone'> {
    return (await this.find(clientId)) ? 'current' : 'gone';
  }

  async *storedAccounts(): AsyncGenerator<string> {
    for (const clientId of [...this.tokens.keys()]) if (await this.find(clientId)) yield clientId;
  }

  async ping(): Promise<void> {}
}
