import { Injectable, Optional } from '@nestjs/common';
import type Redis from 'ioredis';
import { Command, ReplyError } from 'ioredis';
import { Gauge, Histogram } from 'prom-client';
import { labelChildren } from '../metrics/label-children';
import { VaultMetrics } from '../metrics/vault-metrics';
import { RedisConnection } from './redis-connection';

/** From a tenth of a millisecond (a GET on a quiet Redis) to the command timeout (2 s). */
const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Whether the vault's Redis connection is up, and how long Redis takes to answer each command. Timed where ioredis
 * sends a command on this vault's own connection, so that two vaults in one process (as in tests) keep apart, and a
 * read batch's one script call is one observation. Only answers are timed, an error reply included: a command
 * refused without being sent (the connection is down) would drag the figures to zero just when they matter. The
 * label is the command's name from ioredis' own command table, a Lua script of the vault by the name it was defined
 * under (`script:vaultCountReadRecord` is the read path), or `other`: never a key or an argument. The commands
 * inside a MULTI are timed as its EXEC.
 *
 * The CLI commands build the connection without a registry: there is nothing to record there.
 */
@Injectable()
export class RedisMetrics {
  private readonly scripts = new Map<string, string>();

  constructor(connection: RedisConnection, @Optional() metrics?: VaultMetrics) {
    if (!metrics) return;
    const { client } = connection;
    new Gauge({
      name: 'token_vault_redis_up',
      help: 'Whether the connection to Redis is ready for commands (1) or not (0), when scraped.',
      registers: [metrics.registry],
      collect() {
        this.set(client.status === 'ready' ? 1 : 0);
      },
    });
    const duration = new Histogram({
      name: 'token_vault_redis_command_duration_seconds',
      help: 'Time from sending a Redis command to its answer (an error reply included), by command; the token read path is script:vaultCountReadRecord.',
      labelNames: ['command'] as const,
      buckets: BUCKETS,
      registers: [metrics.registry],
    });
    this.timeCommands(client, labelChildren((command) => duration.labels(command)), new Set(client.getBuiltinCommands()));
  }

  private timeCommands(client: Redis, child: (command: string) => Histogram.Internal<'command'>, builtins: ReadonlySet<string>): void {
    const send = client.sendCommand.bind(client);
    client.sendCommand = (command: Command, stream?: Parameters<Redis['sendCommand']>[1]) => {
      // Refused at once while the connection is down (there is no offline queue): it never reached Redis.
      if (command.inTransaction || client.status !== 'ready') return send(command, stream);
      const name = command.name.toLowerCase();
      const histogram = child(name === 'evalsha' ? this.scriptName(String(command.args[0]), client) : builtins.has(name) ? name : 'other');
      const started = performance.now();
      const answered = () => histogram.observe((performance.now() - started) / 1000);
      command.promise.then(answered, (error: unknown) => {
        if (error instanceof ReplyError) answered();
      });
      return send(command, stream);
    };
  }

  /** Scripts are sent by their SHA-1; ioredis keeps those defined with defineCommand under their names. */
  private scriptName(sha: string, client: Redis): string {
    const known = this.scripts.get(sha);
    if (known !== undefined) return known;
    const defined = Object.entries(client.scriptsSet as Record<string, { sha?: unknown }>).find(([, script]) => script.sha === sha);
    // A SHA the vault did not define is not remembered: the list of names stays the vault's own.
    if (!defined) return 'evalsha';
    const name = `script:${defined[0]}`;
    this.scripts.set(sha, name);
    return name;
  }
}
