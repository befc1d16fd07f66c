import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';
import { variableNames } from '../../src/config/load-configuration';
import { loadVaultConfig, VAULT_CONFIG_SLICES } from '../../src/vault-config';

const ROOT = join(__dirname, '..', '..');
/** The proxy's fixed address on the compose network, the one TRUST_PROXY names. */
const PROXY_ADDRESS = '172.30.0.10';
/** The one image every vault service and the clients command run. */
const IMAGE = 'token-vault:local';
const read = (name: string) => readFileSync(join(ROOT, name), 'utf8');

/** The variables the vault's configuration slices validate, read from class-validator's metadata. */
function schemaNames(): Set<string> {
  return variableNames(VAULT_CONFIG_SLICES);
}

/** A service's configuration as the vault loads it once .env supplies the secrets (and `more`). */
function configWithSecrets(service: ComposeService, more: Record<string, string> = {}) {
  return loadVaultConfig({
    ...service.environment,
    BROKER_API_KEY: 'app',
    BROKER_API_SECRET: 'secret',
    REDIRECT_URL: 'http://127.0.0.1:5000/pocketful/callback',
    VAULT_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    ADMIN_AUTH: 'none',
    REDIS_PASSWORD: 'from-dot-env',
    ...more,
  });
}

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  env_file?: string;
  user?: string;
  entrypoint?: string[];
  stop_grace_period?: string;
  networks?: Record<string, { ipv4_address?: string }>;
  volumes?: string[];
  profiles?: string[];
}

/**
 * npm test runs no Docker engine, so here the compose file and the Dockerfile are kept true by reading them: every
 * name they set must be one the vault validates, and the topology must be the one the process tests exercise. That
 * the stack runs as the README says, under a real engine: npm run test:compose (scripts/test-compose.ts).
 */
describe('docker-compose.yml, Dockerfile and .env.example', () => {
  const text = read('docker-compose.yml');
  const compose = parse(text, { merge: true }) as { services: Record<string, ComposeService> };
  const ofImage = Object.entries(compose.services).filter(([, service]) => service.image === IMAGE);
  const vaults = ofImage.filter(([, service]) => service.profiles === undefined);
  const sentinelVaults = ofImage.filter(([, service]) => service.profiles?.includes('sentinel'));
  const names = schemaNames();

  it('reads a schema with the documented variables', () => {
    for (const name of ['BROKER_API_KEY', 'REDIS_URL', 'VAULT_ENCRYPTION_KEY', 'ALERT_WEBHOOK_URL', 'TELEGRAM_CHAT_ID']) {
      expect(names).toContain(name);
    }
  });

  it('runs two vault replicas on one Redis, each setting only variables the vault knows', () => {
    expect(vaults.map(([name]) => name).sort()).toEqual(['vault-1', 'vault-2']);
    for (const [, service] of vaults) {
      const unknown = Object.keys(service.environment ?? {}).filter((name) => !names.has(name));
      expect(unknown).toEqual([]);
      expect(service.environment?.REDIS_URL).toBe('redis://redis:6379');
      expect(service.environment?.TOKEN_STORE).toBe('redis');
      expect(service.env_file).toBe('.env');
      expect(service.depends_on?.redis?.condition).toBe('service_healthy');
      expect(service.healthcheck?.test.join(' ')).toContain('/health/ready');
      // Reached through the proxy only: a replica publishes no port of its own.
      expect(service.ports).toBeUndefined();
      expect(service.environment?.TRUST_PROXY).toBe(PROXY_ADDRESS);
      expect(service.stop_grace_period).toBe('15s');
      // .env may hold the sentinel profile's password; these replicas have no sentinels, and would refuse it.
      expect(service.environment?.REDIS_SENTINEL_PASSWORD).toBe('');
      // The clients file's folder, not the file: a file mounted alone never shows the file that replaced it.
      expect(service.volumes).toEqual(['./service-keys:/run/token-vault:ro']);
      expect(service.environment?.VAULT_CLIENTS_FILE).toBe('/run/token-vault/clients.json');
    }
  });

  it('gives the replicas a configuration the vault accepts, once .env supplies the secrets', () => {
    for (const [, service] of vaults) {
      const config = configWithSecrets(service);
      expect(config.http).toMatchObject({ host: '0.0.0.0', port: 5000 });
      expect(config.storage.redisPassword).toBe('from-dot-env');
    }
  });

  it('puts one proxy in front of the replicas, the only service published (on 127.0.0.1), balancing on readiness', () => {
    const proxy = compose.services.proxy;
    expect(proxy.image).toMatch(/^caddy:2/);
    expect(proxy.ports).toEqual(['127.0.0.1:5000:8080']);
    expect(proxy.networks?.default?.ipv4_address).toBe(PROXY_ADDRESS);
    expect(Object.keys(proxy.depends_on ?? {}).sort()).toEqual(['vault-1', 'vault-2']);
    const published = Object.entries(compose.services).filter(([, service]) => service.ports && service.profiles === undefined);
    expect(published.map(([name]) => name)).toEqual(['proxy']);
    const subnet = (parse(read('docker-compose.yml')) as { networks: { default: { ipam: { config: Array<{ subnet: string }> } } } }).networks.default.ipam
      .config[0].subnet;
    expect(subnet).toBe('172.30.0.0/24');
    // The vault accepts the proxy's address as TRUST_PROXY and believes it, and nobody else.
    const config = loadVaultConfig({ SANDBOX: 'true', TOKEN_STORE: 'memory', TRUST_PROXY: vaults[0][1].environment!.TRUST_PROXY });
    expect(config.http.trustedProxies.isProxy(PROXY_ADDRESS)).toBe(true);
    expect(config.http.trustedProxies.isProxy('172.30.0.11')).toBe(false);
    const caddyfile = read('deploy/caddy/Caddyfile');
    expect(caddyfile).toMatch(/reverse_proxy vault-1:5000 vault-2:5000/);
    expect(caddyfile).toMatch(/health_uri \/health\/ready/);
    expect(caddyfile).toMatch(/flush_interval -1/);
    // The sandbox's codes live in one replica's memory: its pages and the callbacks go to one replica.
    expect(caddyfile).toMatch(/@sandbox path \/sandbox\/\* \*\/callback\n\thandle @sandbox \{\n\t\treverse_proxy vault-1:5000 vault-2:5000 \{\n\t\t\tlb_policy first/);
    expect(proxy.volumes).toEqual(['./deploy/caddy/Caddyfile:/etc/caddy/Caddyfile:ro']);
  });

  it('has a sentinel profile: a master, a replica, three sentinels, and two vaults finding the master through them', () => {
    const inProfile = Object.entries(compose.services).filter(([, service]) => service.profiles?.includes('sentinel')).map(([name]) => name);
    expect(inProfile.sort()).toEqual(['redis-master', 'redis-replica', 'sentinel-1', 'sentinel-2', 'sentinel-3', 'sentinel-vault-1', 'sentinel-vault-2']);
    expect(sentinelVaults).toHaveLength(2);
    for (const [, service] of sentinelVaults) {
      expect(Object.keys(service.environment ?? {}).filter((name) => !names.has(name))).toEqual([]);
      const config = configWithSecrets(service, { REDIS_SENTINEL_PASSWORD: 'from-dot-env-too' });
      expect(config.storage.kind).toBe('redis');
      expect(service.environment?.REDIS_SENTINELS?.split(',')).toHaveLength(3);
      expect(service.environment?.REDIS_SENTINEL_PASSWORD).toBe('${REDIS_SENTINEL_PASSWORD:-}');
      expect(service.ports?.every((port) => port.startsWith('127.0.0.1:'))).toBe(true);
      expect(service.stop_grace_period).toBe('15s');
    }
    expect(compose.services['redis-replica'].command?.join(' ')).toContain('--replicaof redis-master 6379');
    // Started by naming the vaults, the profile must still start the replica: the sentinels depend on it.
    for (const sentinel of ['sentinel-1', 'sentinel-2', 'sentinel-3']) {
      expect(compose.services[sentinel].depends_on?.['redis-replica']?.condition).toBe('service_healthy');
    }
    // Compose checks ${VAR:?} for every command of every profile: the default stack must not need this one. ($${…:?}
    // is the sentinels' shell checking it, at their start.)
    expect(text).not.toMatch(/(?<!\$)\$\{REDIS_SENTINEL_PASSWORD:\?/);
  });

  it('builds the one image once for each way the README starts services', () => {
    const builders = (services: Array<[string, ComposeService]>) => services.filter(([, service]) => service.build !== undefined).map(([name]) => name);
    expect(builders(vaults)).toEqual(['vault-1']);
    expect(builders(sentinelVaults)).toEqual(['sentinel-vault-1']);
    expect(builders(Object.entries(compose.services))).toEqual(['vault-1', 'clients', 'sentinel-vault-1']);
    expect(compose.services.clients.image).toBe(IMAGE);
  });

  it('has a clients command that writes the replicas\' clients file as the image\'s user', () => {
    const clients = compose.services.clients;
    expect(clients.profiles).toEqual(['tools']);
    expect(clients.volumes).toEqual(['./service-keys:/run/token-vault']);
    expect(clients.environment?.VAULT_CLIENTS_FILE).toBe(vaults[0][1].environment?.VAULT_CLIENTS_FILE);
    expect(clients.entrypoint?.join(' ')).toMatch(/exec setpriv --reuid=node --regid=node --init-groups node dist\/cli\/clients\.js "\$\$@"/);
  });

  it('keeps Redis append-only and behind the password from .env, which the replicas get with the rest of .env', () => {
    const redis = compose.services.redis;
    const command = redis.command?.join(' ') ?? '';
    expect(command).toMatch(/--appendonly yes/);
    // Compose refuses to start without the password rather than run Redis open.
    expect(command).toMatch(/--requirepass \$\{REDIS_PASSWORD:\?[^}]+\}/);
    expect(redis.environment?.REDISCLI_AUTH).toMatch(/^\$\{REDIS_PASSWORD:\?/);
    expect(redis.healthcheck?.test.join(' ')).toContain('redis-cli ping');
    for (const [, service] of vaults) {
      expect(service.env_file).toBe('.env');
      expect(service.environment?.REDIS_URL).not.toMatch(/@/);
    }
    expect(names).toContain('REDIS_PASSWORD');
  });

  it('lists in .env.example only variables the vault knows, and every one it requires', () => {
    const text = read('.env.example');
    const set = Object.keys(parseEnv(text));
    const commented = [...text.matchAll(/^#\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]);
    const unknown = [...set, ...commented].filter((name) => !names.has(name));
    expect(unknown).toEqual([]);
    for (const required of ['BROKER_API_KEY', 'BROKER_API_SECRET', 'REDIRECT_URL', 'VAULT_ENCRYPTION_KEY', 'ADMIN_AUTH', 'REDIS_PASSWORD']) {
      expect(set).toContain(required);
    }
    // Every variable the vault reads is at least mentioned.
    expect([...names].filter((name) => !set.includes(name) && !commented.includes(name))).toEqual([]);
  });

  it('builds in one stage and runs the bundle, dist/vault.js, as a non-root user in another', () => {
    const dockerfile = read('Dockerfile');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const [build, runtime] = [stages[stages.length - 2], stages[stages.length - 1]];
    expect(build).toMatch(/^RUN npm run build$/m);
    // The build stage copies what the build script reads.
    expect(build).toContain('COPY scripts/bundle.mjs');
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toContain('COPY --from=build /app/dist/vault.js ./dist/vault.js');
    // And the docs page's two files, which the bundle reads from beside itself (scripts/bundle.mjs copies them).
    expect(runtime).toContain('COPY --from=build /app/dist/docs ./dist/docs');
    // The image runs the bundle as npm start does, with the same node flags (the bench runs it so too).
    const start = JSON.parse(read('package.json')).scripts.start as string;
    expect(start).toMatch(/^node (--[a-z-]+=\S+ )*dist\/vault\.js$/);
    expect(runtime).toContain(`CMD ${JSON.stringify(start.split(' '))}`.replaceAll('","', '", "'));
    expect(runtime).not.toMatch(/COPY (\.|src)/);
    // The clients command, for docker compose run --rm clients.
    expect(runtime).toContain('COPY --from=build /app/dist/cli/clients.js ./dist/cli/clients.js');
    // No "# syntax=" line: BuildKit would fetch that frontend from Docker Hub, which an offline host cannot reach.
    expect(dockerfile).not.toMatch(/^#\s*syntax\s*=/im);
    // npm test builds before it runs the tests: the file the image runs is the one the build makes, and the
    // topology test runs it.
    expect(existsSync(join(ROOT, 'dist', 'vault.js'))).toBe(true);
  });
});
