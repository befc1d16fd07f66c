import { parseStoredPassword, passwordMatches } from '../access/operator-password';
import { PasswordPrompt, runOperatorPasswordCommand } from './operator-password';

/** Answers the command's questions from a list, as a person at a terminal (or a pipe) would. */
function answering(answers: Array<string | null>, interactive: boolean): PasswordPrompt & { asked: string[] } {
  const asked: string[] = [];
  return {
    interactive,
    asked,
    read: async (question) => {
      asked.push(question);
      return answers.shift() ?? null;
    },
  };
}

describe('npm run operator-password', () => {
  let errors: string[];
  let stderr: jest.SpyInstance;

  beforeEach(() => {
    errors = [];
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation((text) => {
      errors.push(String(text));
      return true;
    });
  });

  afterEach(() => stderr.mockRestore());

  async function run(argv: string[], prompt: PasswordPrompt) {
    const out: string[] = [];
    const code = await runOperatorPasswordCommand(argv, prompt, (line) => out.push(line));
    return { code, out };
  }

  it('asks twice at a terminal and prints the ADMIN_AUTH line, whose hash takes the password', async () => {
    const prompt = answering(['correct horse battery', 'correct horse battery'], true);
    const { code, out } = await run(['alice'], prompt);
    expect(code).toBe(0);
    expect(prompt.asked).toEqual(['Password: ', 'Again: ']);
    expect(out).toHaveLength(1);
    const [, hash] = /^ADMIN_AUTH=basic:alice:(scrypt:.+)$/.exec(out[0])!;
    expect(await passwordMatches(parseStoredPassword(hash)!, 'correct horse battery')).toBe(true);
    expect(out[0]).not.toContain('correct horse');
  });

  it('asks once when the password is piped in', async () => {
    const prompt = answering(['correct horse battery'], false);
    expect((await run(['alice'], prompt)).code).toBe(0);
    expect(prompt.asked).toHaveLength(1);
  });

  it.each([
    ['two different answers', ['correct horse battery', 'correct horse batter'], 'the two passwords differ'],
    ['a short password', ['short'], 'at least 12 characters'],
    ['nothing at all', [null], 'at least 12 characters'],
  ])('prints nothing and fails on %s', async (_label, answers, message) => {
    const { code, out } = await run(['alice'], answering(answers as Array<string | null>, true));
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(errors.join('')).toContain(message);
  });

  it.each([[['bad user']], [['alice', 'extra']]])('refuses a bad user name or extra arguments: %j', async (argv) => {
    const { code, out } = await run(argv, answering(['correct horse battery'], false));
    expect(code).toBe(1);
    expect(out).toEqual([]);
  });

  it('explains itself on stdout when asked with help', async () => {
    const help = await run(['help'], answering([], false));
    expect(help.code).toBe(0);
    expect(help.out.join('\n')).toContain('npm run operator-password -- USER');
    expect(errors).toEqual([]);
  });

  it('explains itself on stderr, printing nothing on stdout, when run without a user', async () => {
    const bare = await run([], answering([], false));
    expect(bare.code).toBe(1);
    expect(bare.out).toEqual([]);
    expect(errors.join('')).toContain('npm run operator-password -- USER');
  });
});
