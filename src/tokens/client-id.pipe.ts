import { Injectable, PipeTransform } from '@nestjs/common';
import { Accounts } from '../brokers/accounts';
import { BrokersSettings } from '../brokers/brokers.config';
import { invalidClientId } from '../errors/vault-error';

/** An account from a path (`YA0002`, `zerodha:AB1234`), written canonically (brokers/accounts.ts), or 400 invalid_client_id. */
export function parseClientId(value: unknown, accounts: Accounts): string {
  const account = accounts.parse(value);
  if (account === null) throw invalidClientId();
  return account;
}

@Injectable()
export class ClientIdPipe implements PipeTransform<unknown, string> {
  constructor(private readonly brokers: BrokersSettings) {}

  transform(value: unknown): string {
    return parseClientId(value, this.brokers.accounts);
  }
}
