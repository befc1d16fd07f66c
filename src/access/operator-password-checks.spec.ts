import { readFile } from 'node:fs/promises';
import { sha256Hex } from '../crypto/digest';
import { hashOperatorPassword, parseStoredPassword, StoredPassword } from './operator-password';
import { OperatorPasswordChecks } from './operator-password-checks';

/** The least cost the vault accepts, to keep the suite quick. */
const QUICK = { log2n: 14, r: 8, p: 1 };
const PASSWORD = 'correct horse battery';
/** libuv's thread pool, which scrypt and file reads share. */
const POOL_THREADS = Number(process.env.UV_THREADPOOL_SIZE ?? 4);

describe(OperatorPasswordChecks.name, () => {
  let sut: OperatorPasswordChecks;
  let stored: StoredPassword;

  beforeAll(async () => {
    stored = parseStoredPassword(await hashOperatorPassword(PASSWORD, QUICK))!;
  });

  beforeEach(() => {
    sut = new OperatorPasswordChecks();
  });

  it('tells the right password from a wrong one, in either stored form', async () => {
    expect(await sut.matches(stored, PASSWORD, '203.0.113.7')).toBe(true);
    expect(await sut.matches(stored, `${PASSWORD} `, '203.0.113.7')).toBe(false);
    const unsalted = parseStoredPassword(sha256Hex(PASSWORD))!;
    expect(await sut.matches(unsalted, PASSWORD, '203.0.113.7')).toBe(true);
    expect(await sut.matches(unsalted, 'other', '203.0.113.7')).toBe(false);
  });

  it('leaves libuv\'s thread pool to file reads: a read started behind a burst of checks does not wait for a pool of them', async () => {
    const settled: string[] = [];
    const checks = Array.from({ length: POOL_THREADS * 2 }, (_, index) =>
      sut.matches(stored, `guess-${index}`, `192.0.2.${index}`).then(() => settled.push('check')),
    );
    // As the clients file's re-read reads it.
    const read = readFile(__filename).then(() => settled.push('read'));
    await Promise.all([...checks, read]);
    // Were the checks let into the pool at once, the read would queue behind the first POOL_THREADS of them and come
    // after them all; one check at a time leaves it a thread at once. Before the first check here, but a busy
    // machine may let that one finish first.
    expect(settled.indexOf('read')).toBeLessThan(2);
    expect(settled).toHaveLength(POOL_THREADS * 2 + 1);
  });
});
