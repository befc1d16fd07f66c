import { readdirSync, readFileSync } from 'node:fs';
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

/** Every controller class under src/, loaded. */
function controllers(): Array<new (...args: never[]) => unknown> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.controller.ts')) files.push(path);
    }
  };
  walk(join(ROOT, 'src'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return files.flatMap((file) => Object.values(require(file) as Record<string, unknown>)).filter(
    (value): value is new (...args: never[]) => unknown => typeof value === 'function' && /Controller$/.test(value.name),
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Responses = Record<string, { content?: Record<string, { schema?: any }> }>;

/** What each route's decorators put in the OpenAPI document: `status code` pairs, as @nestjs/swagger keeps them. */
function documentedErrors(): string[] {
  const found: string[] = [];
  for (const controller of controllers()) {
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const responses = (Reflect.getMetadata('swagger/apiResponse', handler) ?? {}) as Responses;
      for (const [status, response] of Object.entries(responses)) {
        const content = response.content ?? {};
        const codes: string[] = [
          ...(content['application/json']?.schema?.properties?.error?.enum ?? []),
          ...(content['text/html']?.schema?.['x-error-codes'] ?? []),
        ];
        for (const code of codes) found.push(`${status} ${code}`);
      }
    }
  }
  return found;
}

describe('the codes the routes document', () => {
  it('are catalogue codes, each under its own status', () => {
    const documented = documentedErrors();
    // The scan found the routes' decorators at all: the read path's 404 is among them.
    expect(documented).toContain('404 token_not_found');
    const wrong = documented.filter((entry) => {
      const [status, code] = entry.split(' ');
      return !isErrorCode(code) || statusOfCode(code) !== Number(status);
    });
    expect(wrong).toEqual([]);
  });
});
