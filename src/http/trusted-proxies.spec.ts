import { parseTrustProxy, TRUST_PROXY_INVALID, TRUST_PROXY_TRUE_REFUSED, TrustedProxies } from './trusted-proxies';

const proxiesOf = (text: string) => {
  const parsed = parseTrustProxy(text);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return new TrustedProxies(parsed);
};

describe('TRUST_PROXY', () => {
  it.each([undefined, '', 'false', '0'])('%j trusts nobody: Fastify reads no X-Forwarded-For and no address is a proxy', (text) => {
    expect(parseTrustProxy(text)).toEqual({ kind: 'none' });
    const proxies = new TrustedProxies({ kind: 'none' });
    expect(proxies.forFastify()).toBe(false);
    expect(proxies.isProxy('127.0.0.1')).toBe(false);
  });

  it.each(['true', 'TRUE', ' true '])('refuses %j, saying why: anyone could choose its address', (text) => {
    expect(parseTrustProxy(text)).toEqual({ problem: TRUST_PROXY_TRUE_REFUSED });
    expect(TRUST_PROXY_TRUE_REFUSED).toMatch(/any caller/);
  });

  it('takes a hop count, which names no proxy by address', () => {
    expect(parseTrustProxy('2')).toEqual({ kind: 'hops', hops: 2 });
    const proxies = proxiesOf('2');
    expect(proxies.forFastify()).toBe(2);
    expect(proxies.namesAddresses).toBe(false);
    expect(proxies.isProxy('127.0.0.1')).toBe(false);
  });

  it.each(['11', '-1', '1.5', 'yes', '10.0.0.0/33', '10.0.0.1/', '10.0.0.1/8/8', 'proxy.internal', '10.0.0.1,,10.0.0.2', '::1/129', '300.1.1.1'])(
    'refuses %j',
    (text) => {
      expect(parseTrustProxy(text)).toEqual({ problem: TRUST_PROXY_INVALID });
    },
  );

  it('takes addresses and CIDR ranges, IPv4 and IPv6, and knows which connections come from them', () => {
    const proxies = proxiesOf('10.0.0.0/8, 192.168.1.7, fd00::/8,::1');
    expect(proxies.namesAddresses).toBe(true);
    for (const address of ['10.1.2.3', '192.168.1.7', 'fd12::1', '::1', '::ffff:10.9.9.9']) expect(proxies.isProxy(address)).toBe(true);
    for (const address of ['11.0.0.1', '192.168.1.8', 'fe80::1', '', 'not-an-address']) expect(proxies.isProxy(address)).toBe(false);
    expect(proxies.isProxy(undefined)).toBe(false);
  });

  it('gives Fastify a test of each hop by the same list', () => {
    const trust = proxiesOf('127.0.0.1').forFastify() as (address: string) => boolean;
    expect(trust('127.0.0.1')).toBe(true);
    expect(trust('203.0.113.9')).toBe(false);
  });
});
