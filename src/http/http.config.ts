import { IsNotEmpty, IsOptional, IsString, ValidateBy } from 'class-validator';
import { configSlice } from '../config/config-slice';
import { OptionalWholeNumber } from '../config/variables';
import { parseTrustProxy, TrustedProxies } from './trusted-proxies';

const problemOf = (value: unknown) => {
  const parsed = parseTrustProxy(typeof value === 'string' ? value : undefined);
  return 'problem' in parsed ? parsed.problem : null;
};

export const DEFAULT_PORT = 5000;

class HttpVariables {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  HOST?: string;

  @OptionalWholeNumber(0, 65535, '$property must be a port number from 0 to 65535')
  PORT?: number;

  @IsOptional()
  @ValidateBy({ name: 'trustProxy', validator: { validate: (value) => problemOf(value) === null, defaultMessage: (args) => problemOf(args?.value) ?? '' } })
  TRUST_PROXY?: string;
}

/** Where the vault listens, and whom it believes about a caller's address. */
export class HttpSettings {
  readonly host!: string;
  readonly port!: number;
  /** Whose X-Forwarded-For to believe for the caller's address (audit, limits), and whose headers to believe at all. */
  readonly trustedProxies!: TrustedProxies;

  constructor(values: Omit<HttpSettings, 'selfUrl'>) {
    Object.assign(this, values);
  }

  /** The vault's own address, for defaults that point back at it (the sandbox broker, the redirect URL). */
  get selfUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

export const httpConfig = configSlice({
  settings: HttpSettings,
  variables: HttpVariables,
  build: (env) => new HttpSettings({ host: env.HOST ?? '127.0.0.1', port: env.PORT ?? DEFAULT_PORT, trustedProxies: trustedProxiesFrom(env.TRUST_PROXY) }),
});

function trustedProxiesFrom(text: string | undefined): TrustedProxies {
  const parsed = parseTrustProxy(text);
  // Checked when the variables were validated: a problem cannot reach here.
  return new TrustedProxies('problem' in parsed ? { kind: 'none' } : parsed);
}
