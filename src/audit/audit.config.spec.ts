import { configurationProblems } from '../../test/support/configuration-problems';
import { loadVaultConfig } from '../vault-config';

const base = { SANDBOX: 'true', TOKEN_STORE: 'memory' };
const problems = (env: Record<string, string>) => configurationProblems(() => loadVaultConfig({ ...base, ...env }));

describe('audit settings', () => {
  it('keep a hundred thousand entries in each stream and fail reads closed by default', () => {
    expect(loadVaultConfig(base).audit).toMatchObject({ maxLength: 100_000, failClosed: true });
  });

  it('take a length from a hundred, a stream node, to ten million', () => {
    expect(loadVaultConfig({ ...base, AUDIT_MAX_LENGTH: '100' }).audit.maxLength).toBe(100);
    expect(problems({ AUDIT_MAX_LENGTH: '99' })).toEqual(['AUDIT_MAX_LENGTH must be a whole number from 100 to 10000000']);
    expect(problems({ AUDIT_MAX_LENGTH: '10000001' })).toEqual(['AUDIT_MAX_LENGTH must be a whole number from 100 to 10000000']);
  });
});
