import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { digestsEqual, sha256Hex } from '../crypto/digest';
import { vaultError } from '../errors/vault-error';
import { ScrapeSettings } from './scrape.config';

const BEARER = /^Bearer ([^\s]{1,1024})$/i;

/**
 * Lets a scrape of /metrics through as METRICS_AUTH says. A refusal costs the caller no collection, and the vault
 * no store call beyond the audit trail's record of it; its secret is at least 32 characters, so it is not counted
 * toward AUTH_FAILURES_PER_MINUTE, whose count is kept in the store.
 */
@Injectable()
export class ScrapeGuard implements CanActivate {
  constructor(private readonly settings: ScrapeSettings) {}

  canActivate(context: ExecutionContext): boolean {
    const auth = this.settings.auth;
    if (auth.kind === 'none') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (auth.kind === 'allow') {
      // request.ip is the caller's address as TRUST_PROXY reads it: the connection's own, or the one its proxies name.
      if (auth.addresses.includes(request.ip)) return true;
      throw vaultError('forbidden', '/metrics answers only the addresses METRICS_AUTH allows');
    }
    const presented = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (presented !== undefined && digestsEqual(sha256Hex(presented), auth.secretSha256)) return true;
    throw vaultError('unauthorized', '/metrics needs Authorization: Bearer with the secret METRICS_AUTH holds');
  }
}
