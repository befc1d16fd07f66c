export { TokenEvents, TokenVault, TokenVaultClient, VaultError } from './index.js';
export type { CertificateAuthority, Environment, EventsOptions, InvalidReport, ReportOptions, ResetEvent, TokenEvent, TokenEventType, TokenOptions, TokenVaultClientOptions, VaultEvent, VaultToken, } from './index.js';
