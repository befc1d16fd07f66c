import { IsNotEmpty, IsOptional, IsString, Matches } from 'class-validator';
import { configSlice } from '../config/config-slice';
import { OptionalWholeNumber } from '../config/variables';

export const DEFAULT_PORT = 5000;

class HttpVariables {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  HOST?: string;

  @OptionalWholeNumber(0, 65535, '$property must be a port number from 0 to 65535')
  PORT?: number;

  @IsOptional()
  @Matches(/^(true|false|\d{1,2}|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$/, {
    message: '$property must be false, true, a number of proxy hops, or the proxies\' addresses/CIDRs, comma-separated',
  })
  TRUST_PROXY?: string;
}

/** Where the vault listens, and whom it believes about a caller's address. */
export class HttpSettings {
  readonly host!: string;
  readonly port!: number;
  /** Fastify's trustProxy: whose X-Forwarded-For to believe for the caller's address (audit, failed-auth limits). */
  readonly trustProxy!: boolean | number | string;

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
  build: (env) => new HttpSettings({ host: env.HOST ?? '127.0.0.1', port: env.PORT ?? DEFAULT_PORT, trustProxy: trustProxyFrom(env.TRUST_PROXY) }),
});

function trustProxyFrom(text: string | undefined): boolean | number | string {
  if (text === undefined || text === 'false') return false;
  if (text === 'true') return true;
  return /^\d+$/.test(text) ? Number(text) : text;
}
