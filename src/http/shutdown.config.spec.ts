import { configurationProblems } from '../../test/support/configuration-problems';
import { loadVaultConfig } from '../vault-config';

const base = { SANDBOX: 'true', TOKEN_STORE: 'memory' };
const problems = (env: Record<string, string>) => configurationProblems(() => loadVaultConfig({ ...base, ...env }));

describe('shutdown settings', () => {
  it('drain for three seconds and take at most ten in all by default', () => {
    expect(loadVaultConfig(base).shutdown).toEqual({ drainMs: 3_000, graceMs: 10_000 });
  });

  it('take no drain at all, and a grace of one second to ten minutes', () => {
    expect(loadVaultConfig({ ...base, SHUTDOWN_DRAIN_MS: '0', SHUTDOWN_GRACE_MS: '1000' }).shutdown).toEqual({ drainMs: 0, graceMs: 1_000 });
    expect(problems({ SHUTDOWN_GRACE_MS: '999' })).toEqual(['SHUTDOWN_GRACE_MS must be milliseconds from 1000 to 600000']);
    expect(problems({ SHUTDOWN_DRAIN_MS: '-1' })).toEqual(['SHUTDOWN_DRAIN_MS must be milliseconds from 0 to 300000']);
    expect(problems({ SHUTDOWN_DRAIN_MS: '2s' })).toEqual(['SHUTDOWN_DRAIN_MS must be milliseconds from 0 to 300000']);
  });

  it('refuse a drain that leaves no time in the grace for the requests in flight', () => {
    expect(problems({ SHUTDOWN_DRAIN_MS: '10000' })).toEqual([
      'SHUTDOWN_DRAIN_MS must be less than SHUTDOWN_GRACE_MS: the drain is part of the grace, and requests in flight need time after it',
    ]);
    expect(problems({ SHUTDOWN_DRAIN_MS: '9999' })).toEqual([]);
  });
});
