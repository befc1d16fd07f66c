import { Injectable, PipeTransform } from '@nestjs/common';
import { Accounts, BROKER_IDS, isBrokerId } from '../brokers/accounts';
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

/** The account a broker's route names by its two segments (`Accounts.fromPath`), written canonically, or 400 invalid_client_id. */
@Injectable()
export class BrokerAccountPipe implements PipeTransform<unknown, string> {
  constructor(private readonly brokers: BrokersSettings) {}

  transform(params: unknown): string {
    const { broker, id } = (params ?? {}) as { broker?: unknown; id?: unknown };
    if (typeof broker !== 'string' || !isBrokerId(broker.toLowerCase())) {
      throw invalidClientId(`the path names no broker the vault knows: ${BROKER_IDS.join(', ')}`);
    }
    const account = this.brokers.accounts.fromPath(broker, id);
    if (account === null) throw invalidClientId();
    return account;
  }
}
