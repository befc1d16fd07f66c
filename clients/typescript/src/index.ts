export { TokenVaultClient } from './token-vault-client';
export type { TokenOptions, TokenVaultClientOptions } from './token-vault-client';
export type { InvalidReport, VaultToken } from './vault-answers';
export { VaultError } from './vault-error';
