import type { FastifyInstance } from 'fastify';
import { isIP } from 'node:net';
import { vaultError } from '../errors/vault-error';
import { TrustedProxies } from './trusted-proxies';

const notAnAddress = () =>
  vaultError(
    'invalid_forwarded_for',
    'the caller\'s address taken from X-Forwarded-For is not an IP address: check TRUST_PROXY against the proxies in front of the vault',
  );

/**
 * Behind trusted proxies the caller's address comes from X-Forwarded-For, and Fastify takes whatever text stands at
 * the hop it trusts. The audit trail and the failed-auth limits key on that address, so it must be an address: a
 * name or garbage there means TRUST_PROXY trusts more hops than there are proxies, and the request is refused.
 */
export function requireAddressFromProxies(fastify: FastifyInstance, proxies: TrustedProxies): void {
  if (proxies.setting.kind === 'none') return;
  fastify.addHook('onRequest', (request, _reply, done) => {
    done(isIP(request.ip) === 0 ? notAnAddress() : undefined);
  });
}
