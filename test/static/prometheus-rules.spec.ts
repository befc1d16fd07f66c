import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { promtool } from '../support/promtool';

const PROMETHEUS = join(__dirname, '..', '..', 'deploy', 'prometheus');
const RULES = join(PROMETHEUS, 'rules.yml');
const RULE_TESTS = join(PROMETHEUS, 'rules.test.yml');

interface RuleTests {
  tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
}

/**
 * deploy/prometheus/rules.yml as Prometheus reads it: valid for promtool, and passing its unit tests
 * (rules.test.yml), which hold each alert both firing and quiet. What the rules read is checked against a real scrape
 * in test/monitoring.e2e-spec.ts.
 */
describe('deploy/prometheus/rules.yml', () => {
  it('is valid for promtool', () => {
    const run = promtool(['check', 'rules', RULES]);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('passes its unit tests, promtool test rules deploy/prometheus/rules.test.yml', () => {
    const run = promtool(['test', 'rules', RULE_TESTS]);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('has a test of each alert firing and one of it quiet', () => {
    const alerts = (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string }> }> }).groups.flatMap((group) =>
      group.rules.map((rule) => rule.alert),
    );
    const checks = (parse(readFileSync(RULE_TESTS, 'utf8')) as RuleTests).tests.flatMap((test) => test.alert_rule_test);
    const untested = alerts.flatMap((alert) => {
      const mine = checks.filter((check) => check.alertname === alert);
      return [
        mine.some((check) => check.exp_alerts.length > 0) ? [] : [`${alert} firing`],
        mine.some((check) => check.exp_alerts.length === 0) ? [] : [`${alert} quiet`],
      ].flat();
    });
    expect(alerts.length).toBeGreaterThan(5);
    expect(untested).toEqual([]);
  });

  it('fails where a rule does not do what its tests expect, so a pass means something', () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-vault-rules-'));
    try {
      copyFileSync(RULE_TESTS, join(dir, 'rules.test.yml'));
      writeFileSync(join(dir, 'rules.yml'), readFileSync(RULES, 'utf8').replace('hour() >= 3 and hour() < 10', 'hour() == 3 and minute() < 45'));
      const run = promtool(['test', 'rules', join(dir, 'rules.test.yml')]);
      expect(run.output).toContain('alertname: TokenVaultTokenMissing, time: 3h45m');
      expect(run.status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
