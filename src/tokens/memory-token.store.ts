import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AccountRecord, StoredToken } from './stored-token';
import { TokenStore } from './token.store';

/** For the demo and for a single process that may lose its tokens on restart. */
@Injectable()
export class MemoryTokenStore extends TokenStore {
  private readonly tokens = new Map<string, StoredToken>();
  private readonly known = new Map<string, Omit<AccountRecord, 'present'>>();

  constructor(private readonly clock: Clock) {
    super();
  }

  async save(token: StoredToken): Promise<void> {
    this.tokens.set(token.clientId, { ...token });
    const { clientId, issuedAt, expiresAt, source } = token;
    this.known.set(clientId, { clientId, issuedAt, expiresAt, source });
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
    return (await this.find(clientId)) !== null && this.tokens.delete(clientId);
  }

  async accounts(): Promise<AccountRecord[]> {
    const records: AccountRecord[] = [];
    for (const record of this.known.values()) {
      records.push({ ...record, present: (await this.find(record.clientId)) !== null });
    }
    return records;
  }

  async ping(): Promise<void> {}
}
