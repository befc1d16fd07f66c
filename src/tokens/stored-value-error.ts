import { VaultError } from '../errors/vault-error';

/** A stored value that cannot be read back: corrupted, or sealed under a key this process does not hold. */
export class StoredValueError extends VaultError {
  constructor(
    clientId: string,
    readonly keyId?: string,
  ) {
    super(
      'token_unreadable',
      keyId
        ? `the stored token for ${clientId} was sealed with key ${keyId}, which this vault cannot use; log in again, or configure that key`
        : `the stored token for ${clientId} is unreadable; log in again to replace it`,
    );
    this.name = 'StoredValueError';
  }
}
