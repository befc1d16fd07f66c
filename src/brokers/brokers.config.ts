import { IsNotEmpty, IsOptional, IsString, IsUrl, Validate, ValidateIf, ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { DailyCutoff } from '../clock/daily-cutoff';
import { configSlice } from '../config/config-slice';
import { OptionalHttpUrl } from '../config/variables';
import { HttpSettings } from '../http/http.config';
import { Accounts } from './accounts';
import { BrokerId } from './broker-adapter';
import { StandInApp, standInPath, StandInBroker } from './broker-stand-in';
import { FYERS_SANDBOX_APP } from './fyers/fyers-sandbox';
import { FyersSettings } from './fyers/fyers.settings';
import { UPSTOX_SANDBOX_APP } from './upstox/upstox-sandbox';
import { UpstoxSettings } from './upstox/upstox.settings';
import { ZERODHA_SANDBOX_APP } from './zerodha/zerodha-sandbox';
import { ZerodhaSettings } from './zerodha/zerodha.settings';

const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
const CALLBACK_PATH = /\/(pocketful|zerodha|upstox|fyers)\/callback\/?$/;

/** The broker OpenAlgo's REDIRECT_URL names by its callback path (`/zerodha/callback`), Pocketful when it names none. */
export function defaultBrokerOf(redirectUrl: string | undefined): BrokerId {
  if (redirectUrl === undefined) return 'pocketful';
  let path: string;
  try {
    path = new URL(redirectUrl).pathname;
  } catch {
    return 'pocketful';
  }
  return (CALLBACK_PATH.exec(path)?.[1] as BrokerId | undefined) ?? 'pocketful';
}

@ValidatorConstraint({ name: 'brokerCutoff' })
class IsDailyCutoff implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && DailyCutoff.isValid(value);
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be a time of day in India as HH:MM, such as 06:00`;
  }
}

/** Each broker besides the default is on when its own key is set; then its secret and redirect URL must be too. */
const keyed = (broker: string) => (env: BrokersVariables) => (env as unknown as Record<string, unknown>)[`${broker}_API_KEY`] !== undefined;
const redirectMessage = (broker: string) => ({
  message: `$property must be the redirect URL registered with your ${broker} app, e.g. http://127.0.0.1:5000/${broker.toLowerCase()}/callback`,
});
const secretMessage = (broker: string) => ({ message: `$property must be set to the API secret of your ${broker} app` });

/** The brokers besides Pocketful: OpenAlgo's `BROKER_*` names configure the one REDIRECT_URL names, `<BROKER>_*` any other. */
class BrokersVariables {
  /** Read here to turn the brokers with no key on against their stand-ins; Pocketful's slice checks it. */
  SANDBOX?: string;

  @IsOptional()
  @IsString()
  REDIRECT_URL?: string;

  @IsOptional()
  @IsString()
  ZERODHA_API_KEY?: string;
  @ValidateIf(keyed('ZERODHA'))
  @IsString()
  @IsNotEmpty(secretMessage('Zerodha'))
  ZERODHA_API_SECRET?: string;
  @ValidateIf(keyed('ZERODHA'))
  @IsUrl(URL_OPTIONS, redirectMessage('Zerodha'))
  ZERODHA_REDIRECT_URL?: string;
  @OptionalHttpUrl('$property must be an http(s) URL such as https://kite.zerodha.com')
  ZERODHA_LOGIN_URL?: string;
  @OptionalHttpUrl('$property must be an http(s) URL such as https://api.kite.trade')
  ZERODHA_API_URL?: string;
  @IsOptional()
  @Validate(IsDailyCutoff)
  ZERODHA_TOKEN_EXPIRY_TIME?: string;

  @IsOptional()
  @IsString()
  UPSTOX_API_KEY?: string;
  @ValidateIf(keyed('UPSTOX'))
  @IsString()
  @IsNotEmpty(secretMessage('Upstox'))
  UPSTOX_API_SECRET?: string;
  @ValidateIf(keyed('UPSTOX'))
  @IsUrl(URL_OPTIONS, redirectMessage('Upstox'))
  UPSTOX_REDIRECT_URL?: string;
  @OptionalHttpUrl('$property must be an http(s) URL such as https://api.upstox.com')
  UPSTOX_BASE_URL?: string;
  @IsOptional()
  @Validate(IsDailyCutoff)
  UPSTOX_TOKEN_EXPIRY_TIME?: string;

  @IsOptional()
  @IsString()
  FYERS_API_KEY?: string;
  @ValidateIf(keyed('FYERS'))
  @IsString()
  @IsNotEmpty(secretMessage('Fyers'))
  FYERS_API_SECRET?: string;
  @ValidateIf(keyed('FYERS'))
  @IsUrl(URL_OPTIONS, redirectMessage('Fyers'))
  FYERS_REDIRECT_URL?: string;
  @OptionalHttpUrl('$property must be an http(s) URL such as https://api-t1.fyers.in')
  FYERS_BASE_URL?: string;
  @IsOptional()
  @Validate(IsDailyCutoff)
  FYERS_TOKEN_EXPIRY_TIME?: string;

  @IsOptional()
  @IsString()
  BROKER_API_KEY?: string;
  @IsOptional()
  @IsString()
  BROKER_API_SECRET?: string;
}

/**
 * Which brokers are on and how accounts are written: the default broker (REDIRECT_URL's) writes its accounts bare.
 * Pocketful's own settings stay in its slice (BrokerSettings); a broker here is null when it is off.
 */
export class BrokersSettings {
  readonly defaultBroker!: BrokerId;
  readonly accounts!: Accounts;
  readonly zerodha!: ZerodhaSettings | null;
  readonly upstox!: UpstoxSettings | null;
  readonly fyers!: FyersSettings | null;
  /**
   * The brokers on against the vault's own stand-in of them, under /sandbox/<broker>: with SANDBOX=true, each one
   * whose key is not set. Their stand-ins are mounted; a broker configured with a key keeps its real URLs.
   */
  readonly standIns!: readonly StandInBroker[];

  constructor(values: BrokersSettings) {
    Object.assign(this, values);
  }
}

type Credentials = { apiKey: string; apiSecret: string; redirectUrl: string };

export const brokersConfig = configSlice({
  settings: BrokersSettings,
  variables: BrokersVariables,
  build: (env, built) => {
    const defaultBroker = defaultBrokerOf(env.REDIRECT_URL);
    // Asked only for a stand-in: a slice that needs no vault address loads without the HTTP one.
    const selfUrl = () => built.get(HttpSettings).selfUrl;
    const standIns: StandInBroker[] = [];
    const credentials = (broker: StandInBroker, standIn: StandInApp, key?: string, secret?: string, redirect?: string): Credentials | null => {
      if (key !== undefined) return { apiKey: key, apiSecret: secret ?? '', redirectUrl: redirect ?? '' };
      if (defaultBroker === broker && env.BROKER_API_KEY !== undefined) {
        return { apiKey: env.BROKER_API_KEY, apiSecret: env.BROKER_API_SECRET ?? '', redirectUrl: env.REDIRECT_URL ?? '' };
      }
      if (env.SANDBOX !== 'true') return null;
      standIns.push(broker);
      return { apiKey: standIn.key, apiSecret: standIn.secret, redirectUrl: `${selfUrl()}/${broker}/callback` };
    };
    /** A URL setting: as set, else the stand-in's base for a broker on against it, else (undefined) the broker's own. */
    const url = (broker: StandInBroker, set?: string) => set ?? (standIns.includes(broker) ? `${selfUrl()}${standInPath(broker)}` : undefined);
    const cutoff = (text?: string) => (text === undefined ? undefined : DailyCutoff.parse(text));
    const zerodha = credentials('zerodha', ZERODHA_SANDBOX_APP, env.ZERODHA_API_KEY, env.ZERODHA_API_SECRET, env.ZERODHA_REDIRECT_URL);
    const upstox = credentials('upstox', UPSTOX_SANDBOX_APP, env.UPSTOX_API_KEY, env.UPSTOX_API_SECRET, env.UPSTOX_REDIRECT_URL);
    const fyers = credentials('fyers', FYERS_SANDBOX_APP, env.FYERS_API_KEY, env.FYERS_API_SECRET, env.FYERS_REDIRECT_URL);
    return new BrokersSettings({
      defaultBroker,
      accounts: new Accounts(defaultBroker),
      zerodha:
        zerodha &&
        new ZerodhaSettings({
          ...zerodha,
          loginUrl: url('zerodha', env.ZERODHA_LOGIN_URL),
          apiUrl: url('zerodha', env.ZERODHA_API_URL),
          cutoff: cutoff(env.ZERODHA_TOKEN_EXPIRY_TIME),
        }),
      upstox: upstox && new UpstoxSettings({ ...upstox, baseUrl: url('upstox', env.UPSTOX_BASE_URL), cutoff: cutoff(env.UPSTOX_TOKEN_EXPIRY_TIME) }),
      fyers:
        fyers &&
        new FyersSettings({
          appId: fyers.apiKey,
          appSecret: fyers.apiSecret,
          redirectUrl: fyers.redirectUrl,
          baseUrl: url('fyers', env.FYERS_BASE_URL),
          cutoff: cutoff(env.FYERS_TOKEN_EXPIRY_TIME),
        }),
      standIns,
    });
  },
});
