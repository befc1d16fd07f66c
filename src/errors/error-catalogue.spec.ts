import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, ERRORS, ErrorCode, isErrorCode, statusOfCode } from './error-catalogue';
import { toErrorResponse } from './error-response';
import { VaultError } from './vault-error';

const ROOT = join(__dirname, '..', '..');

describe('the error catalogue', () => {
  it('holds the codes the vault answers with, each a snake_case word', () => {
    expect(ERROR_CODES.length).toBeGreaterThan(30);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[a-z]+(_[a-z]+)+$|^[a-z]+$/);
    expect(isErrorCode('token_not_found')).toBe(true);
    expect(isErrorCode('no_such_code')).toBe(false);
    expect(isErrorCode('constructor')).toBe(false);
  });

  it.each(ERROR_CODES.map((code) => [code]))('gives %s an error status, 400 to 599', (code) => {
    const status = statusOfCode(code);
    expect(Number.isInteger(status)).toBe(true);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThanOrEqual(599);
  });

  it('challenges a missing service key with the Bearer scheme, on every 401 unauthorized', () => {
    expect(new VaultError('unauthorized', 'no key').headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="token-vault"' });
  });

  it('keeps a code’s own headers beside those one answer adds', () => {
    const error = new VaultError('unauthorized', 'no key', { 'Retry-After': '3' });
    expect(error.headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="token-vault"', 'Retry-After': '3' });
  });
});

describe('toErrorResponse, for every code of the catalogue', () => {
  it.each(ERROR_CODES.map((code) => [code]))('answers %s with its own status, code, message and headers', (code) => {
    const definition: { status: number; headers?: Record<string, string> } = ERRORS[code];
    const response = toErrorResponse(new VaultError(code, `what happened (${code})`));
    expect(response.status).toBe(definition.status);
    expect(response.body).toEqual({ error: code, message: `what happened (${code})` });
    expect(response.headers).toEqual(definition.headers ?? {});
  });
});

/** The README's table of error codes: each row's code and status. */
function readmeErrorTable(): Array<[string, number]> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('\n### Error codes\n')[1]?.split('\n### ')[0] ?? '';
  return [...section.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((match) => [match[1], Number(match[2])]);
}

describe('the README’s table of error codes', () => {
  it('lists exactly the catalogue’s codes, each once, with its status', () => {
    const rows = readmeErrorTable();
    expect(rows.map(([code]) => code).sort()).toEqual([...ERROR_CODES].sort());
    expect(new Set(rows.map(([code]) => code)).size).toBe(rows.length);
    for (const [code, status] of rows) expect([code, status]).toEqual([code, statusOfCode(code as ErrorCode)]);
  });
});
