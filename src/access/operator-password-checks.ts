import { Injectable } from '@nestjs/common';
import { FairTurns } from '../concurrency/fair-turns';
import { passwordMatches, StoredPassword } from './operator-password';

/**
 * Checks presented operator passwords against ADMIN_AUTH's, one scrypt at a time, turns shared fairly between
 * addresses. Node computes scrypt on libuv's thread pool (four threads by default), the same pool that reads files
 * (the clients file's re-read, which is how a revoked key is dropped), resolves names and compresses; a burst of
 * hashes would queue all of that behind it for as long as the burst lasts, and on a small host take every core from
 * the event loop too. One at a time leaves the rest of the pool and a core free, and is plenty: a browser's password
 * is checked once (VerifiedOperators), and each address has only its failed-authentication budget to spend.
 */
@Injectable()
export class OperatorPasswordChecks {
  private readonly turns = new FairTurns();

  async matches(stored: StoredPassword, presented: string, address: string): Promise<boolean> {
    // The older unsalted SHA-256 costs nothing to check: no turn to wait for.
    if (stored.kind !== 'scrypt') return passwordMatches(stored, presented);
    return this.turns.run(address, () => passwordMatches(stored, presented));
  }
}
