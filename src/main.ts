import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createVaultApp, VaultAppFactoryOptions } from './app.factory';
import { shutDownGracefully, ShutdownSignal } from './http/graceful-shutdown';
import { OpenConnections } from './http/open-connections';
import { InvalidConfigurationError, loadVaultConfig, VaultConfig } from './vault-config';
import { readEnvironment } from './config/read-environment';
import { ClientsFileError } from './access/clients-file';

export async function startVault(options: Partial<VaultAppFactoryOptions> & { config: VaultConfig }) {
  const app = await createVaultApp(options);
  const connections = new OpenConnections(app.getHttpServer());
  await app.listen(options.config.http.port, options.config.http.host);
  new Logger('TokenVault').log(listeningLine(options.config));
  // On SIGTERM (docker stop, Kubernetes) or SIGINT: drain, stop taking requests, finish those in flight, close Redis,
  // exit 0 (1 past SHUTDOWN_GRACE_MS). Nest's own shutdown hooks would re-raise the signal instead, and the process
  // would end as killed. A second signal is not caught: it ends the process at once.
  const signals: ShutdownSignal[] = ['SIGTERM', 'SIGINT'];
  const onSignal = (signal: ShutdownSignal) => {
    for (const other of signals) process.removeListener(other, onSignal);
    void shutDownGracefully(app, connections, options.config.shutdown, signal).then((code) => process.exit(code));
  };
  for (const signal of signals) process.on(signal, onSignal);
  return app;
}

/** The one line a start says, once it listens: where, and in the sandbox where to log in. */
export function listeningLine(config: VaultConfig): string {
  const { host, port, selfUrl } = config.http;
  const where = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const sandbox = config.broker.sandbox ? `; sandbox brokers: log in at ${selfUrl}/${config.brokers.defaultBroker}/login` : '';
  return `token-vault listening on ${where} (store: ${config.storage.kind})${sandbox}`;
}

export function configFromEnvironment(overrides: Record<string, string> = {}): VaultConfig {
  return loadVaultConfig({ ...overrides, ...readEnvironment() });
}

/** A refusal to start says what to fix in one message, with no stack trace. */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof InvalidConfigurationError || error instanceof ClientsFileError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    const { name, code, address, port } = (error ?? {}) as { name?: string; code?: string; address?: string; port?: number };
    const where = port === undefined ? 'the configured address' : `${address ?? 'HOST'}:${port}`;
    if (code === 'EADDRINUSE') process.stderr.write(`token-vault cannot listen on ${where}: another process is listening there (EADDRINUSE); stop it, or set PORT\n`);
    else if (code === 'EACCES') process.stderr.write(`token-vault cannot listen on ${where}: not allowed (EACCES); a port below 1024 needs privileges, set PORT\n`);
    else if (code === 'EADDRNOTAVAIL') process.stderr.write(`token-vault cannot listen on ${where}: this machine has no such address (EADDRNOTAVAIL); check HOST\n`);
    else process.stderr.write(`token-vault failed to start: ${name ?? 'error'}${code ? ` (${code})` : ''}\n`);
  }
  process.exit(1);
}

if (require.main === module) {
  (async () => {
    const config = configFromEnvironment();
    await startVault({ config });
  })().catch(exitOnStartupError);
}
