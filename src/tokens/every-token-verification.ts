import { Injectable } from '@nestjs/common';
import { FairTurns } from '../concurrency/fair-turns';
import { VaultError } from '../errors/vault-error';
import { TokenStore } from './token.store';
import { VerificationTrigger } from './token-events';
import { TokenVerification, Verification } from './token-verification';

/** Checks under way at once on a replica, for every verify-all together: a desk's brokers see a few calls at a time. */
export const VERIFY_ALL_AT_ONCE = 4;

/**
 * Verifies every stored live token, a few at a time (turns going round the admins asking, FairTurns), each as a
 * single verify: shared with any check of the account in the span, removed when the broker refuses it.
 */
@Injectable()
export class EveryTokenVerification {
  private readonly turns = new FairTurns(VERIFY_ALL_AT_ONCE);

  constructor(
    private readonly store: TokenStore,
    private readonly verification: TokenVerification,
  ) {}

  /** One verification per account holding a token, by account id; an account whose token went meanwhile is left out. */
  async verifyAll(by: string, trigger: VerificationTrigger = 'verify'): Promise<Verification[]> {
    const accounts = new Set<string>();
    for await (const clientId of this.store.storedAccounts()) accounts.add(clientId);
    const results = await Promise.all([...accounts].map((clientId) => this.turns.run(by, () => this.verifyOne(clientId, by, trigger))));
    return results.filter((result): result is Verification => result !== null).sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
  }

  private async verifyOne(clientId: string, by: string, trigger: VerificationTrigger): Promise<Verification | null> {
    try {
      return await this.verification.verify(clientId, by, trigger);
    } catch (error) {
      if (error instanceof VaultError && error.code === 'token_not_found') return null;
      throw error;
    }
  }
}
