import { ErrorCode } from '../errors/error-catalogue';
import { VaultError } from '../errors/vault-error';

export type BrokerFailure = 'rejected' | 'unauthorized' | 'unavailable' | 'timeout' | 'malformed';

const CODE: Readonly<Record<BrokerFailure, ErrorCode>> = {
  rejected: 'broker_rejected',
  unauthorized: 'token_rejected',
  unavailable: 'broker_unavailable',
  timeout: 'broker_timeout',
  malformed: 'broker_malformed_response',
};

/**
 * A failed call to Pocketful, reduced to what a person can act on. It never carries the axios error: that holds
 * the request, with the Basic credentials and the authorization code in it.
 */
export class BrokerError extends VaultError {
  constructor(
    readonly failure: BrokerFailure,
    message: string,
    /** The broker's own machine code (`invalid_grant`, `40000`), when it gave one. */
    readonly brokerCode?: string,
    readonly brokerStatus?: number,
  ) {
    super(CODE[failure], message);
    this.name = 'BrokerError';
  }
}
