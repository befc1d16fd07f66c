export { TokenVault, TokenVaultClient } from './token-vault';
export type { Environment, ReportOptions, TokenOptions, TokenVaultClientOptions } from './token-vault';
export { TokenEvents } from './token-events';
export type { EventsOptions, ResetEvent, TokenEvent, TokenEventType, VaultEvent } from './token-events';
export type { InvalidReport, VaultToken } from './vault-answers';
export { VaultError } from './vault-error';
export type { CertificateAuthority } from './vault-http';
