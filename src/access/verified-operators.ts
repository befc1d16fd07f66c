import { Injectable } from '@nestjs/common';

/** A browser sends its credentials with every page; a few operators' worth is all that is ever remembered. */
const REMEMBERED_CREDENTIALS = 16;

/**
 * SHA-256 of the Authorization headers whose operator password checked out, so a slow hash is paid once per browser,
 * not per page. One per vault, shared by the OperatorGuard of every module: Nest makes a guard for each module whose
 * controllers use it, and an operator moves between the pages of several (the status page, the login).
 */
@Injectable()
export class VerifiedOperators {
  private readonly verified = new Set<string>();

  has(headerDigest: string): boolean {
    return this.verified.has(headerDigest);
  }

  add(headerDigest: string): void {
    if (this.verified.size >= REMEMBERED_CREDENTIALS) this.verified.clear();
    this.verified.add(headerDigest);
  }
}
