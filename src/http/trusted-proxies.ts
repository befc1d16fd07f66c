import { BlockList, isIP } from 'node:net';

/**
 * TRUST_PROXY: whose X-Forwarded-For the vault believes for a caller's address. `false` (nobody), a hop count (the
 * N nearest hops are proxies), or the proxies' addresses and CIDR ranges. Never a bare `true`: believing the
 * header from anyone lets every caller choose its address, and with it escape the failed-auth limit, lock out
 * someone else's address, and put a lie in the audit trail.
 */
export type TrustProxySetting =
  | { kind: 'none' }
  | { kind: 'hops'; hops: number }
  | { kind: 'addresses'; ranges: readonly string[] };

const MOST_HOPS = 10;

export const TRUST_PROXY_TRUE_REFUSED =
  'TRUST_PROXY=true would believe X-Forwarded-For from any caller, so anyone could choose the address the audit records ' +
  'and the failed-auth limit counts: set the number of proxies in front of the vault (e.g. 1) or their addresses/CIDRs';
export const TRUST_PROXY_INVALID =
  `TRUST_PROXY must be false, a number of proxy hops from 1 to ${MOST_HOPS}, or the proxies' IP addresses/CIDRs, comma-separated`;

/** The setting read from its text, or the problem with it. */
export function parseTrustProxy(text: string | undefined): TrustProxySetting | { problem: string } {
  const value = text?.trim() ?? '';
  if (value === '' || value === 'false' || value === '0') return { kind: 'none' };
  if (value.toLowerCase() === 'true') return { problem: TRUST_PROXY_TRUE_REFUSED };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops <= MOST_HOPS ? { kind: 'hops', hops } : { problem: TRUST_PROXY_INVALID };
  }
  const ranges = parseAddressRanges(value);
  return ranges !== null ? { kind: 'addresses', ranges: ranges.ranges } : { problem: TRUST_PROXY_INVALID };
}

/** Addresses and CIDR ranges, as TRUST_PROXY and METRICS_AUTH=allow:… list them; null when one of them is neither. */
export function parseAddressRanges(text: string): AddressRanges | null {
  const ranges = text.split(',').map((item) => item.trim());
  return ranges.every((range) => toSubnet(range) !== null) ? new AddressRanges(ranges) : null;
}

/** A list of addresses and CIDR ranges, asked whether a caller's address is in it. */
export class AddressRanges {
  private readonly list: BlockList;

  constructor(readonly ranges: readonly string[]) {
    this.list = blockListOf(ranges);
  }

  /** Whether any range is a /0: one that holds every address of its family. */
  get holdsEveryAddress(): boolean {
    return this.ranges.some((range) => toSubnet(range)?.prefix === 0);
  }

  includes(address: string | undefined): boolean {
    if (address === undefined) return false;
    const plain = unmapped(address);
    const family = isIP(plain);
    return family !== 0 && this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** The proxies a setting names, as Fastify's trustProxy wants them and as the operator guard asks about them. */
export class TrustedProxies {
  private readonly list: AddressRanges | null;

  constructor(readonly setting: TrustProxySetting) {
    this.list = setting.kind === 'addresses' ? new AddressRanges(setting.ranges) : null;
  }

  /** Fastify's trustProxy: a hop count, or a test of each hop's address, nearest first. */
  forFastify(): false | number | ((address: string) => boolean) {
    if (this.setting.kind === 'none') return false;
    if (this.setting.kind === 'hops') return this.setting.hops;
    return (address) => this.isProxy(address);
  }

  /** Whether a connection's address is one of the listed proxies: only then is a header it sets believed. */
  isProxy(address: string | undefined): boolean {
    return this.list !== null && this.list.includes(address);
  }

  /** Whether the proxies are named by address, so a connection can be told to come from one. */
  get namesAddresses(): boolean {
    return this.list !== null;
  }
}

function blockListOf(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const subnet = toSubnet(range)!;
    list.addSubnet(subnet.address, subnet.prefix, subnet.family);
  }
  return list;
}

function toSubnet(range: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address, prefixText, ...rest] = range.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return null;
  const bits = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  return prefix <= bits ? { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' } : null;
}

/** `::ffff:10.0.0.1`, an IPv4 caller on a dual-stack socket, is `10.0.0.1` for the list. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
