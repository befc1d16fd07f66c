import { IsNotEmpty, IsOptional, IsString, IsUrl, ValidateIf } from 'class-validator';
import { configSlice } from '../../config/config-slice';
import { OptionalFlag, OptionalHttpUrl, OptionalWholeNumber, trimSlash } from '../../config/variables';
import { HttpSettings } from '../../http/http.config';
import { defaultBrokerOf } from '../brokers.config';

const SANDBOX_APP_ID = 'sandbox-app';
const SANDBOX_APP_SECRET = 'sandbox-secret';
const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

const isSandbox = (env: PocketfulVariables) => env.SANDBOX === 'true';
/** OpenAlgo's BROKER_* names are Pocketful's only while REDIRECT_URL names no other broker. */
const isDefault = (env: PocketfulVariables) => defaultBrokerOf(env.REDIRECT_URL) === 'pocketful';
const ownKeySet = (env: PocketfulVariables) => env.POCKETFUL_API_KEY !== undefined;

/** The broker variables; their names are OpenAlgo's, so an OpenAlgo `.env` works as it is. */
class PocketfulVariables {
  @OptionalFlag()
  SANDBOX?: string;

  @ValidateIf((env: PocketfulVariables) => !isSandbox(env) || env.BROKER_API_KEY !== undefined)
  @IsString()
  @IsNotEmpty({ message: '$property must be set to the App ID of your app on Pocketful\'s developer portal' })
  BROKER_API_KEY?: string;

  @ValidateIf((env: PocketfulVariables) => !isSandbox(env) || env.BROKER_API_SECRET !== undefined)
  @IsString()
  @IsNotEmpty({ message: '$property must be set to the App Secret of your app on Pocketful\'s developer portal' })
  BROKER_API_SECRET?: string;

  @ValidateIf((env: PocketfulVariables) => !isSandbox(env) || env.REDIRECT_URL !== undefined)
  @IsUrl(URL_OPTIONS, {
    message: '$property must be the redirect URL registered with your app, e.g. http://127.0.0.1:5000/pocketful/callback',
  })
  REDIRECT_URL?: string;

  @IsOptional()
  @IsString()
  POCKETFUL_API_KEY?: string;

  @ValidateIf(ownKeySet)
  @IsString()
  @IsNotEmpty({ message: '$property must be set to the App Secret of your app on Pocketful\'s developer portal' })
  POCKETFUL_API_SECRET?: string;

  @ValidateIf(ownKeySet)
  @IsUrl(URL_OPTIONS, {
    message: '$property must be the redirect URL registered with your Pocketful app, e.g. http://127.0.0.1:5000/pocketful/callback',
  })
  POCKETFUL_REDIRECT_URL?: string;

  @OptionalHttpUrl('$property must be an http(s) URL such as https://trade.pocketful.in')
  POCKETFUL_BASE_URL?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: '$property must not be empty (default: orders holdings)' })
  POCKETFUL_SCOPE?: string;

  @OptionalWholeNumber(100, 120_000, '$property must be a whole number of milliseconds from 100 to 120000')
  POCKETFUL_TIMEOUT_MS?: number;

  @OptionalFlag()
  POCKETFUL_PKCE?: string;
}

/** Where Pocketful is and who the vault is to it. */
export class BrokerSettings {
  readonly baseUrl!: string;
  readonly appId!: string;
  readonly appSecret!: string;
  readonly redirectUrl!: string;
  readonly scope!: string;
  readonly timeoutMs!: number;
  /**
   * Send a PKCE challenge at authorize and its verifier at the exchange. A fosite that never saw the challenge (a
   * front that drops it) refuses the verifier with invalid_grant: false is the way out of that.
   */
  readonly pkce!: boolean;
  /** Serve the built-in stand-in for Pocketful under /sandbox. */
  readonly sandbox!: boolean;
  /**
   * Whether Pocketful's login is on: always while it is the default broker (as before brokers were named), else
   * when POCKETFUL_API_KEY is set.
   */
  readonly enabled!: boolean;

  constructor(values: BrokerSettings) {
    Object.assign(this, values);
  }
}

export const pocketfulConfig = configSlice({
  settings: BrokerSettings,
  variables: PocketfulVariables,
  build: (env, built) => {
    const sandbox = isSandbox(env);
    const { selfUrl } = built.get(HttpSettings);
    const onDefault = isDefault(env);
    return new BrokerSettings({
      sandbox,
      enabled: onDefault || ownKeySet(env),
      baseUrl: trimSlash(env.POCKETFUL_BASE_URL ?? (sandbox ? `${selfUrl}/sandbox` : 'https://trade.pocketful.in')),
      appId: (onDefault ? env.BROKER_API_KEY : env.POCKETFUL_API_KEY) ?? SANDBOX_APP_ID,
      appSecret: (onDefault ? env.BROKER_API_SECRET : env.POCKETFUL_API_SECRET) ?? SANDBOX_APP_SECRET,
      redirectUrl: (onDefault ? env.REDIRECT_URL : env.POCKETFUL_REDIRECT_URL) ?? `${selfUrl}/pocketful/callback`,
      scope: env.POCKETFUL_SCOPE ?? 'orders holdings',
      timeoutMs: env.POCKETFUL_TIMEOUT_MS ?? 10_000,
      pkce: env.POCKETFUL_PKCE !== 'false',
    });
  },
});
