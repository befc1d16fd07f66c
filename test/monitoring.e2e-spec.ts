import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientFor, newServiceKey, writeClientsFile } from '../src/access/clients-file';
import { parse } from 'yaml';
import { AlertReceiver } from './support/alert-receiver';
import { closeAll } from './support/close-all';
import { EventStreamClient } from './support/event-stream-client';
import { Scrape } from './support/prometheus-text';
import { promtool } from './support/promtool';
import { VaultFixture } from './support/vault-fixture';

const DEPLOY = join(__dirname, '..', 'deploy');
const RULES = join(DEPLOY, 'prometheus', 'rules.yml');
const RULE_TESTS = join(DEPLOY, 'prometheus', 'rules.test.yml');
const DASHBOARD = join(DEPLOY, 'grafana', 'token-vault.json');

/** Prometheus' own series that a rule or a panel may use besides the vault's. */
const PROMETHEUS_SERIES = new Set(['up']);
/** A metric name right before a selector or a range: what a PromQL expression reads. */
const SELECTED = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=\{|\[)/g;
const VAULT_NAME = /\btoken_vault_[a-z0-9_]+/g;

interface Rule {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: { severity?: unknown };
  annotations?: { summary?: unknown };
}

/** Every series name an expression reads: the vault's wherever they appear, and any other before a selector. */
function seriesIn(expr: string): string[] {
  return [...new Set([...(expr.match(VAULT_NAME) ?? []), ...[...expr.matchAll(SELECTED)].map((match) => match[1])])];
}

/** The queries of a dashboard's panels, rows' panels included. */
function queriesOf(panels: Array<{ panels?: unknown[]; targets?: Array<{ expr?: string }> }>): string[] {
  return panels.flatMap((panel) => [
    ...(panel.targets ?? []).map((target) => target.expr ?? ''),
    ...queriesOf((panel.panels ?? []) as typeof panels),
  ]);
}

/**
 * What a running vault (Redis store and an alert channel, so that every metric is there) exports, as Prometheus
 * reads it: its scrape passes `promtool check metrics`, README's metrics table names it, and the Prometheus rules and
 * the Grafana dashboard in deploy/ read only what it exports. promtool runs the rules' own unit tests in
 * test/static/prometheus-rules.spec.ts.
 */
describe('monitoring files', () => {
  let fixture: VaultFixture;
  let webhook: AlertReceiver;
  let scrape: string;
  let exported: ReadonlySet<string>;
  let dir: string | undefined;

  beforeAll(async () => {
    webhook = await new AlertReceiver().start();
    // A clients file too, as production has one: its own families are exported only with it.
    dir = mkdtempSync(join(tmpdir(), 'token-vault-monitoring-'));
    writeClientsFile(join(dir, 'clients.json'), [clientFor('desk', newServiceKey(), ['YA0002'], false)]);
    fixture = await VaultFixture.start({
      env: { ALERT_WEBHOOK_URL: `${webhook.url}/hook`, ALLOWED_CLIENT_IDS: 'YA0002,YA0003', VAULT_CLIENTS_FILE: join(dir, 'clients.json') },
    });
    const { vault, broker } = fixture;
    // A sample in every family whose series come with use: a login, reads plain and held, a stream, a refusal.
    expect((await vault.login('YA0002', broker)).status).toBe(200);
    expect((await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status).toBe(200);
    expect((await vault.fetch('/v1/tokens/YA0002?wait=1', { as: 'strategy-a' })).status).toBe(200);
    expect((await vault.fetch('/v1/tokens/YA0003', { as: 'strategy-a' })).status).toBe(403);
    const stream = await EventStreamClient.open(vault, 'strategy-a');
    try {
      expect(stream.status).toBe(200);
      const metrics = await vault.fetch('/metrics');
      expect(metrics.status).toBe(200);
      scrape = await metrics.text();
    } finally {
      await stream.close();
    }
    exported = new Scrape(scrape).names;
  });

  afterAll(() => closeAll(() => fixture?.close(), () => webhook?.stop(), () => dir && rmSync(dir, { recursive: true, force: true })));

  it('passes promtool check metrics: names, types, units and help as Prometheus expects them', () => {
    const families = scrape.split('\n').filter((line) => line.startsWith('# TYPE '));
    // Not vacuous: the vault's own families, and the families that come with use, are in it.
    for (const name of ['token_vault_held_read_duration_seconds', 'token_vault_event_streams_total', 'token_vault_token_expiry_timestamp_seconds', 'token_vault_build_info']) {
      expect(families).toContainEqual(expect.stringMatching(new RegExp(`^# TYPE ${name} `)));
    }
    expect(scrape).toMatch(/^token_vault_alert_deliveries_total\{channel="webhook",type="missing",result="failed"\} 0$/m);
    const run = promtool(['check', 'metrics'], scrape);
    expect(run.output).toBe('');
    expect(run.status).toBe(0);
  });

  it('would fail promtool check metrics with a gauge named as a counter: the check above can fail', () => {
    const run = promtool(['check', 'metrics'], `${scrape}# HELP token_vault_open_things_total Things.\n# TYPE token_vault_open_things_total gauge\ntoken_vault_open_things_total 1\n`);
    expect(run.output).toContain('token_vault_open_things_total non-counter metrics should not have "_total" suffix');
    expect(run.status).not.toBe(0);
  });

  const unknown = (exprs: string[]) => exprs.flatMap(seriesIn).filter((name) => !exported.has(name) && !PROMETHEUS_SERIES.has(name));

  it("is the README's metrics table, family for family, but for the process's own", () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| `(token_vault_[a-z0-9_]+)` \|/gm)].map((match) => match[1]).sort();
    const families = [...scrape.matchAll(/^# TYPE (token_vault_[a-z0-9_]+) /gm)].map((match) => match[1]);
    expect(documented).toEqual(families.filter((name) => !/^token_vault_(process|nodejs)_/.test(name)).sort());
  });

  describe('deploy/prometheus/rules.yml', () => {
    const rules = (): Rule[] => (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((group) => group.rules);

    it('gives every rule an alert, an expression, a duration, a severity and a summary', () => {
      const problems = rules().flatMap((rule, index) => {
        const name = typeof rule.alert === 'string' && rule.alert !== '' ? rule.alert : `rule ${index}`;
        return [
          typeof rule.alert === 'string' && /^[A-Z][A-Za-z0-9]+$/.test(rule.alert) ? null : `${name}: alert`,
          typeof rule.expr === 'string' && rule.expr.trim() !== '' ? null : `${name}: expr`,
          typeof rule.for === 'string' && /^\d+[smh]$/.test(rule.for) ? null : `${name}: for`,
          rule.labels?.severity === 'critical' || rule.labels?.severity === 'warning' ? null : `${name}: labels.severity`,
          typeof rule.annotations?.summary === 'string' && rule.annotations.summary.trim() !== '' ? null : `${name}: annotations.summary`,
        ].filter((problem) => problem !== null);
      });
      expect(problems).toEqual([]);
      const names = rules().map((rule) => rule.alert);
      expect(new Set(names).size).toBe(names.length);
    });

    it('covers the day: a missing or short-lived token, the audit trail, Redis, the brokers, alert deliveries and the vault itself', () => {
      const read = new Set(rules().flatMap((rule) => seriesIn(String(rule.expr))));
      const wanted = [
        'token_vault_token_present',
        'token_vault_token_expiry_timestamp_seconds',
        'token_vault_token_reads_total',
        'token_vault_redis_up',
        'token_vault_broker_requests_total',
        'token_vault_alert_deliveries_total',
        'up',
      ];
      expect(wanted.filter((metric) => !read.has(metric))).toEqual([]);
    });

    it('reads only metrics the vault exports', () => {
      const exprs = rules().map((rule) => String(rule.expr));
      // Not vacuous: the search finds what the rules read.
      expect(exprs.flatMap(seriesIn).filter((name) => name.startsWith('token_vault_')).length).toBeGreaterThan(0);
      expect(unknown(exprs)).toEqual([]);
    });

    it('has unit tests for promtool about its own alerts and the vault\'s metrics', () => {
      const tests = parse(readFileSync(RULE_TESTS, 'utf8')) as {
        rule_files: string[];
        tests: Array<{ input_series: Array<{ series: string }>; alert_rule_test: Array<{ alertname: string }> }>;
      };
      expect(tests.rule_files).toEqual(['rules.yml']);
      const alerts = new Set(rules().map((rule) => String(rule.alert)));
      const tested = new Set(tests.tests.flatMap((test) => test.alert_rule_test.map((check) => check.alertname)));
      expect([...alerts].filter((alert) => !tested.has(alert))).toEqual([]);
      expect([...tested].filter((alert) => !alerts.has(alert))).toEqual([]);
      expect(unknown(tests.tests.flatMap((test) => test.input_series.map((input) => input.series)))).toEqual([]);
    });
  });

  describe('deploy/grafana/token-vault.json', () => {
    const dashboard = () => JSON.parse(readFileSync(DASHBOARD, 'utf8'));

    it('is a dashboard whose panels all query the Prometheus chosen when it is imported', () => {
      const board = dashboard();
      expect(board).toMatchObject({ uid: 'token-vault', title: expect.any(String), schemaVersion: expect.any(Number) });
      expect(board.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
      const panels = (board.panels as Array<{ type: string; title: string; datasource?: { uid?: string } }>).filter((panel) => panel.type !== 'row');
      expect(panels.filter((panel) => panel.datasource?.uid !== '${datasource}').map((panel) => panel.title)).toEqual([]);
      const ids = board.panels.map((panel: { id: number }) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('shows the tokens, reads, latency, held reads and streams, the brokers, Redis, alert deliveries and versions', () => {
      const queried = new Set(queriesOf(dashboard().panels).flatMap(seriesIn));
      const wanted = [
        'token_vault_token_present',
        'token_vault_token_expiry_timestamp_seconds',
        'token_vault_token_reads_total',
        'token_vault_token_reads_by_client_total',
        'token_vault_logins_total',
        'token_vault_imports_total',
        'token_vault_http_request_duration_seconds_bucket',
        'token_vault_held_read_duration_seconds_bucket',
        'token_vault_held_requests',
        'token_vault_event_streams_total',
        'token_vault_build_info',
        'token_vault_broker_requests_total',
        'token_vault_broker_request_duration_seconds_bucket',
        'token_vault_redis_up',
        'token_vault_redis_command_duration_seconds_bucket',
        'token_vault_alert_deliveries_total',
      ];
      expect(wanted.filter((name) => !queried.has(name))).toEqual([]);
    });

    it('queries only metrics the vault exports', () => {
      const queries = queriesOf(dashboard().panels);
      expect(queries.length).toBeGreaterThan(10);
      expect(queries.filter((query) => query.trim() === '')).toEqual([]);
      expect(unknown(queries)).toEqual([]);
    });
  });
});
