import { randomBytes } from 'node:crypto';
import { LogCapture } from './support/log-capture';
import { ManualClock } from './support/manual-clock';
import { TestVault } from './support/test-vault';
import { BASE_DAY } from './support/test-time';
import { VaultFixture } from './support/vault-fixture';

interface LogLine {
  level: number;
  msg: string;
  note?: string;
  req?: { url: string };
  res?: { statusCode: number };
}

const DEBUG = 20;
const INFO = 30;
const WARN = 40;
/** Near the most Node.js lets a request's head carry (16 KB), with the request line's other parts and the headers. */
const LONG = 15_000;

/**
 * The request log, against an anonymous caller who sends long paths and paths that match no route: what one such
 * request may put in the log, and how many lines a stream of them makes.
 */
describe('request lines of paths anyone can send', () => {
  const logs = new LogCapture();
  const clock = new ManualClock(BASE_DAY.at('10:00:30'));
  let fixture: VaultFixture;
  let vault: TestVault;

  beforeAll(async () => {
    fixture = await VaultFixture.start({ store: 'memory', clock, logs });
    vault = fixture.vault;
  });

  afterAll(() => fixture?.close());

  const requestLines = (from: number) =>
    logs.lines
      .slice(from)
      .map((line) => JSON.parse(line) as LogLine)
      .filter((line) => line.msg === 'request completed');

  /** A path of `length` characters that names no route, different each time. */
  const unmatchedPath = (length: number) => `/nothing-here/${randomBytes(8).toString('hex')}/`.padEnd(length, 'x');

  it('keeps the first 200 characters of a 15,000-character path that matched no route, with its length, at info', async () => {
    clock.advance(60_000);
    const from = logs.lines.length;
    const path = unmatchedPath(LONG);
    const response = await fetch(`${vault.url}${path}`);
    expect(response.status).toBe(404);
    await response.text();

    const [line] = requestLines(from);
    expect(line).toMatchObject({ level: INFO, res: { statusCode: 404 } });
    expect(line.req?.url).toBe(`${path.slice(0, 200)}… (${LONG} characters)`);
    expect(logs.text).not.toContain(path.slice(0, 201));
  });

  it('logs one such request a minute at info and the rest at debug, none at warn', async () => {
    clock.advance(60_000);
    const from = logs.lines.length;
    for (let index = 0; index < 20; index += 1) {
      const response = await fetch(`${vault.url}${unmatchedPath(LONG)}`, { method: index % 2 === 0 ? 'GET' : 'POST' });
      expect(response.status).toBe(404);
      await response.text();
    }
    const lines = requestLines(from);
    expect(lines).toHaveLength(20);
    expect(lines.map((line) => line.level)).toEqual([INFO, ...Array(19).fill(DEBUG)]);
    expect(lines[0].note).toMatch(/matched no route.*debug/);
    expect(lines.every((line) => line.req!.url.length < 250)).toBe(true);

    clock.advance(60_000);
    const next = logs.lines.length;
    await (await fetch(`${vault.url}${unmatchedPath(40)}`)).text();
    await (await fetch(`${vault.url}${unmatchedPath(40)}`)).text();
    expect(requestLines(next).map((line) => line.level)).toEqual([INFO, DEBUG]);
  });

  it('answers the favicon every page makes a browser ask for with an empty 204, and logs none of them', async () => {
    const from = logs.lines.length;
    for (let i = 0; i < 3; i += 1) {
      const answer = await fetch(`${vault.url}/favicon.ico`);
      expect([answer.status, await answer.text()]).toEqual([204, '']);
    }
    expect(requestLines(from)).toEqual([]);
  });

  it('logs a served token read at debug on either of its routes, the account bare or its broker in the path', async () => {
    await vault.login('YA0002', fixture.broker);
    const from = logs.lines.length;
    for (const path of ['/v1/tokens/YA0002', '/v1/tokens/pocketful/YA0002', '/v1/tokens/YA0002?wait=1']) {
      expect((await vault.fetch(path, { as: 'strategy-a' })).status).toBe(200);
    }
    expect(requestLines(from).map((line) => [line.req?.url, line.level])).toEqual([
      ['/v1/tokens/YA0002', DEBUG],
      ['/v1/tokens/pocketful/YA0002', DEBUG],
      ['/v1/tokens/YA0002?wait=…', DEBUG],
    ]);
    // The later tests read YA0002 with no token stored.
    expect((await vault.fetch('/v1/tokens/YA0002', { as: 'ops', method: 'DELETE' })).status).toBe(204);
  });

  it('cuts a long path on a route too, whose refusal stays a warning', async () => {
    const from = logs.lines.length;
    const account = 'A'.repeat(LONG);
    const response = await vault.fetch(`/v1/tokens/${account}`, { as: 'ops' });
    expect(response.status).toBe(400);
    await response.text();

    const [line] = requestLines(from);
    expect(line.level).toBe(WARN);
    expect(line.req?.url).toBe(`/v1/tokens/${account.slice(0, 200 - '/v1/tokens/'.length)}… (${LONG + '/v1/tokens/'.length} characters)`);
  });

  it('cuts a query of many names, whose values it never logs', async () => {
    const from = logs.lines.length;
    const query = Array.from({ length: 500 }, (_, index) => `name${index}=secret-value-${index}`).join('&');
    const response = await vault.fetch(`/v1/tokens/YA0002?${query}`, { as: 'ops' });
    expect(response.status).toBe(404);
    await response.text();

    const [line] = requestLines(from);
    expect(line.req?.url).toMatch(/^\/v1\/tokens\/YA0002\?name0=…&name1=…&.*… \(\d+ characters\)$/);
    expect(line.req!.url.length).toBeLessThan(250);
    expect(logs.text).not.toContain('secret-value-');
  });
});
