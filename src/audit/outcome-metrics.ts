import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Counter } from 'prom-client';
import { VaultRequest } from '../access/vault-request';
import { answeredErrorOf } from '../http/answered-error';
import { labelChildren } from '../metrics/label-children';
import { VaultMetrics } from '../metrics/vault-metrics';
import { AuditAction } from './audit-log';
import { auditedAction } from './audited-route';

/** The actions counted, with what a success is called. */
const SUCCESS: Partial<Record<AuditAction, string>> = { read: 'served', store: 'stored', import: 'stored' };

/** The codes a dashboard reads most, in its words; every other result is the answer's own stable error code. */
const RESULT_OF_CODE: Record<string, string> = { token_not_found: 'not_found', audit_unavailable: 'audit_failed' };
const LABEL_SHAPE = /^[a-z][a-z0-9_]{0,47}$/;

/** The read results a rule or a panel looks for, at 0 from the start so that the first of each shows in rate(). */
const READ_RESULTS = ['served', 'not_found', 'forbidden', 'rate_limited', 'audit_failed', 'unauthorized', 'store_unavailable'];

/**
 * How the requests of the audited routes a dashboard follows ended: token reads (also by service client), logins
 * (their callback) and imports. Counted once each answer is sent, from the route's audited action and the answer: a
 * success, or the stable error code the exception filters noted, wherever it was raised (guard, pipe, handler,
 * store). The same facts the audit trail records one by one, as totals. Labels hold outcomes and the service
 * client's name from the clients file, never a token, a key or a URL; a caller without a valid key has no name, so
 * its reads are in the total only.
 */
@Injectable()
export class OutcomeMetrics {
  private readonly byAction = new Map<AuditAction, (result: string) => Counter.Internal>();
  private readonly readsByClient: (client: string, result: string) => Counter.Internal;

  constructor(metrics: VaultMetrics) {
    const registers = [metrics.registry];
    const counted = (action: AuditAction, name: string, help: string) => {
      const counter = new Counter({ name, help, labelNames: ['result'] as const, registers });
      const series = labelChildren((result) => counter.labels(result));
      this.byAction.set(action, series);
      return series;
    };
    const reads = counted('read', 'token_vault_token_reads_total', 'Token reads (GET /v1/tokens/:clientId) by result: served, not_found, forbidden, rate_limited, audit_failed, unauthorized, or another error code.');
    const logins = counted('store', 'token_vault_logins_total', 'Login callbacks by result: stored, or the error code the page showed.');
    const imports = counted('import', 'token_vault_imports_total', 'Token imports (POST /v1/tokens) by result: stored, or the error code.');
    const byClient = new Counter({
      name: 'token_vault_token_reads_by_client_total',
      help: 'Token reads by service client (its name in the clients file) and result; reads without a valid key are only in token_vault_token_reads_total.',
      labelNames: ['client', 'result'] as const,
      registers,
    });
    this.readsByClient = labelChildren((client, result) => byClient.labels(client, result));
    // A series at 0 from the start, so that the first of each shows in rate().
    for (const result of READ_RESULTS) reads(result).inc(0);
    logins('stored').inc(0);
    imports('stored').inc(0);
  }

  /** Counts each request once its answer is sent, after every guard, filter and interceptor has had its say. */
  attach(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      this.count(request as VaultRequest, reply);
      done();
    });
  }

  private count(request: VaultRequest, reply: FastifyReply): void {
    const action = auditedAction(request);
    const counter = action === null ? undefined : this.byAction.get(action);
    if (action === null || counter === undefined) return;
    const result = reply.statusCode < 400 ? SUCCESS[action]! : resultOf(answeredErrorOf(request), reply.statusCode);
    counter(result).inc();
    if (action === 'read' && request.caller?.kind === 'service') this.readsByClient(request.caller.client.name, result).inc();
  }
}

/** The noted error code, in the dashboard's words; the status alone for an answer that bypassed the filters. */
function resultOf(code: string | undefined, status: number): string {
  if (code === undefined) return `http_${status}`;
  const result = RESULT_OF_CODE[code] ?? code;
  return LABEL_SHAPE.test(result) ? result : 'other';
}
