import { IsOptional, Validate, ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { configSlice } from '../config/config-slice';
import { splitList } from '../config/variables';
import { normalizeClientId } from '../brokers/client-id';
import { Accounts } from '../brokers/accounts';
import { BrokersSettings } from '../brokers/brokers.config';
import { DailyCutoff } from '../clock/daily-cutoff';

/** A list of Pocketful client ids, as ALLOWED_CLIENT_IDS and EXPECTED_ACCOUNTS take them. */
@ValidatorConstraint({ name: 'clientIdList' })
export class IsClientIdList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    const ids = splitList(value);
    // A list of only separators would become an empty allow-list that silently refuses every account.
    return ids.length > 0 && ids.every((id) => ANY_DEFAULT.parse(id) !== null);
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be a comma-separated list of account ids such as YA0002 (the default broker's) or zerodha:AB1234`;
  }
}

/** Whether an id is an account does not depend on the default broker, only how it is written does. */
const ANY_DEFAULT = new Accounts('pocketful');

export const parseClientIdList = (value: string, accounts: Accounts = ANY_DEFAULT): string[] =>
  splitList(value).map((id) => accounts.parse(id) ?? normalizeClientId(id));

@ValidatorConstraint({ name: 'dailyCutoff' })
class IsDailyCutoff implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && DailyCutoff.isValid(value);
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be a time of day in India as HH:MM, such as 00:00`;
  }
}

class TokensVariables {
  @IsOptional()
  @Validate(IsDailyCutoff)
  TOKEN_EXPIRY_TIME?: string;

  @IsOptional()
  @Validate(IsClientIdList)
  ALLOWED_CLIENT_IDS?: string;
}

/** When tokens die, and whose may be stored. */
export class TokenSettings {
  readonly cutoff!: DailyCutoff;
  /** null: any account may store a token. */
  readonly allowedClientIds!: readonly string[] | null;

  constructor(values: TokenSettings) {
    Object.assign(this, values);
  }
}

export const tokensConfig = configSlice({
  settings: TokenSettings,
  variables: TokensVariables,
  build: (env, built) =>
    new TokenSettings({
      cutoff: env.TOKEN_EXPIRY_TIME ? DailyCutoff.parse(env.TOKEN_EXPIRY_TIME) : DailyCutoff.MIDNIGHT,
      allowedClientIds: env.ALLOWED_CLIENT_IDS ? parseClientIdList(env.ALLOWED_CLIENT_IDS, built.get(BrokersSettings).accounts) : null,
    }),
});
