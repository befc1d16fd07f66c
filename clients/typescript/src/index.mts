// The ES module entry: the CommonJS build's own classes, so that `import` and `require` in one process share them
// (an `instanceof VaultError` holds whichever way the error's code was loaded).
export { TokenEvents, TokenVault, TokenVaultClient, VaultError } from './index.js';
export type {
  CertificateAuthority,
  Environment,
  EventsOptions,
  InvalidReport,
  ReportOptions,
  ResetEvent,
  TokenEvent,
  TokenEventType,
  TokenOptions,
  TokenVaultClientOptions,
  VaultEvent,
  VaultToken,
} from './index.js';
