import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Environment, splitList } from './environment';

describe('splitList', () => {
  it('splits on commas and any whitespace, dropping empty items', () => {
    expect(splitList('a,b c\td\n e ,, f,')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('gives nothing for separators only', () => {
    expect(splitList(' , ,\t')).toEqual([]);
    expect(splitList('')).toEqual([]);
  });
});

describe('Environment', () => {
  const failing = (env: Record<string, string>) =>
    validateSync(plainToInstance(Environment, env), { forbidUnknownValues: false }).map((error) => error.property);

  it('turns numeric text into numbers before checking ranges', () => {
    const env = plainToInstance(Environment, { PORT: '8080', POCKETFUL_TIMEOUT_MS: '2500' });
    expect(env.PORT).toBe(8080);
    expect(env.POCKETFUL_TIMEOUT_MS).toBe(2500);
  });

  it('requires the encryption key only for the redis store', () => {
    const sandbox = { SANDBOX: 'true' };
    expect(failing({ ...sandbox })).toEqual(['VAULT_ENCRYPTION_KEY']);
    expect(failing({ ...sandbox, TOKEN_STORE: 'redis' })).toEqual(['VAULT_ENCRYPTION_KEY']);
    expect(failing({ ...sandbox, TOKEN_STORE: 'memory' })).toEqual([]);
  });

  it('accepts redis:// and rediss:// URLs only for REDIS_URL', () => {
    const base = { SANDBOX: 'true', TOKEN_STORE: 'memory' };
    expect(failing({ ...base, REDIS_URL: 'redis://localhost:6379' })).toEqual([]);
    expect(failing({ ...base, REDIS_URL: 'rediss://user:pw@cache.internal:6380/1' })).toEqual([]);
    expect(failing({ ...base, REDIS_URL: 'http://localhost:6379' })).toEqual(['REDIS_URL']);
    expect(failing({ ...base, REDIS_URL: 'localhost:6379' })).toEqual(['REDIS_URL']);
  });
});
