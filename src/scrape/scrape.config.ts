import { readFileSync } from 'node:fs';
import { IsOptional, ValidateBy } from 'class-validator';
import { configSlice } from '../config/config-slice';
import { sha256Hex } from '../crypto/digest';
import { HttpSettings } from '../http/http.config';
import { AddressRanges, parseAddressRanges } from '../http/trusted-proxies';

const FORMS = 'none, bearer:SECRET, bearer-file:PATH (a file holding the secret) or allow:ADDRESS/CIDR[,ADDRESS/CIDR…]';
/** RFC 6750's token characters: what Prometheus can send in `Authorization: Bearer`, as `openssl rand -hex 32` makes. */
const SECRET = /^[A-Za-z0-9._~+/=-]{32,1024}$/;
const SECRET_RULE = 'a secret of 32 to 1024 letters, digits or -._~+/= (openssl rand -hex 32)';

/**
 * Who may read /metrics. `none`: anyone who reaches the vault. `bearer`: whoever sends `Authorization: Bearer` with
 * the secret, kept only as its SHA-256, to be compared in constant time. `allow`: callers from the listed
 * addresses, as TRUST_PROXY reads a caller's address.
 */
export type ScrapeAuth =
  | { kind: 'none'; written: boolean }
  | { kind: 'bearer'; secretSha256: string }
  | { kind: 'allow'; addresses: AddressRanges };

/** METRICS_AUTH read, or what is wrong with it: a sentence that never holds the value, which may be the secret. */
export function parseScrapeAuth(text: string | undefined): ScrapeAuth | { problem: string } {
  if (text === undefined) return { kind: 'none', written: false };
  const colon = text.indexOf(':');
  const [kind, rest] = colon < 0 ? [text, ''] : [text.slice(0, colon), text.slice(colon + 1)];
  if (text === 'none') return { kind: 'none', written: true };
  if (kind === 'bearer') {
    return SECRET.test(rest) ? { kind, secretSha256: sha256Hex(rest) } : { problem: `METRICS_AUTH=bearer:… needs ${SECRET_RULE}` };
  }
  if (kind === 'bearer-file') return bearerFromFile(rest);
  if (kind === 'allow') {
    const addresses = parseAddressRanges(rest);
    if (addresses === null) return { problem: 'METRICS_AUTH=allow:… must list IP addresses or CIDR ranges, comma-separated' };
    if (addresses.holdsEveryAddress) {
      return { problem: 'METRICS_AUTH=allow:… lists a /0 range, which lets every address in: write none if /metrics is meant to be open' };
    }
    return { kind, addresses };
  }
  return { problem: `METRICS_AUTH must be ${FORMS}` };
}

/** The file Prometheus's `credentials_file` reads can be this one: it trims the same surrounding whitespace. */
function bearerFromFile(path: string): ScrapeAuth | { problem: string } {
  let secret: string;
  try {
    secret = readFileSync(path, 'utf8').trim();
  } catch {
    return { problem: 'METRICS_AUTH=bearer-file:… names a file the vault cannot read' };
  }
  return SECRET.test(secret) ? { kind: 'bearer', secretSha256: sha256Hex(secret) } : { problem: `METRICS_AUTH=bearer-file:… must hold ${SECRET_RULE}` };
}

const problemOf = (value: unknown) => {
  const parsed = parseScrapeAuth(typeof value === 'string' ? value : '');
  return 'problem' in parsed ? parsed.problem : null;
};

class ScrapeVariables {
  @IsOptional()
  @ValidateBy({ name: 'metricsAuth', validator: { validate: (value) => problemOf(value) === null, defaultMessage: (args) => problemOf(args?.value) ?? '' } })
  METRICS_AUTH?: string;
}

/** Who may scrape /metrics: METRICS_AUTH. */
export class ScrapeSettings {
  readonly auth!: ScrapeAuth;

  constructor(values: ScrapeSettings) {
    Object.assign(this, values);
  }
}

export const scrapeConfig = configSlice({
  settings: ScrapeSettings,
  variables: ScrapeVariables,
  // Checked with the variables: a problem cannot reach here.
  build: (env) => new ScrapeSettings({ auth: parseScrapeAuth(env.METRICS_AUTH) as ScrapeAuth }),
  conflicts: (settings, built) =>
    settings.auth.kind === 'allow' && built.get(HttpSettings).trustedProxies.setting.kind === 'hops'
      ? [
          'METRICS_AUTH=allow:… with TRUST_PROXY as a number of proxies would let a caller that reaches the vault directly choose ' +
            'the address it is allowed by, with X-Forwarded-For: set TRUST_PROXY to the proxies\' addresses/CIDRs',
        ]
      : [],
});
