import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { hashOperatorPassword } from '../access/operator-password';

const USAGE = `Makes the ADMIN_AUTH value for an operator password: a salted scrypt hash, never the password.

  npm run operator-password -- USER          asks for the password twice (not shown)
  printf %s "$PASSWORD" | npm run operator-password -- USER    reads it from standard input

Prints ADMIN_AUTH=basic:USER:scrypt:… for .env. The password is never printed, logged or written anywhere.`;

const USER = /^[A-Za-z0-9._@-]{1,64}$/;
/** Short passwords are refused: the hash slows each guess, it does not make a guessable password safe. */
const SHORTEST = 12;

export interface PasswordPrompt {
  /** The password as typed or piped; null when there was none. */
  read(question: string): Promise<string | null>;
  interactive: boolean;
}

/** Runs the command; returns the exit code. Exported for tests that run it in-process. */
export async function runOperatorPasswordCommand(argv: string[], prompt: PasswordPrompt, out: (line: string) => void): Promise<number> {
  const [user, ...extra] = argv;
  if (user === undefined) {
    // Not what was asked for: the usage goes with the errors, and nothing to a file the output was kept in.
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  if (user === 'help' || user === '--help' || user === '-h') {
    out(USAGE);
    return 0;
  }
  if (extra.length > 0 || !USER.test(user)) {
    process.stderr.write('give one user name: letters, digits, ".", "_", "@" or "-", up to 64\n');
    return 1;
  }
  const password = await prompt.read('Password: ');
  if (password === null || password.length < SHORTEST) {
    process.stderr.write(`the password must have at least ${SHORTEST} characters\n`);
    return 1;
  }
  if (prompt.interactive && (await prompt.read('Again: ')) !== password) {
    process.stderr.write('the two passwords differ\n');
    return 1;
  }
  out(`ADMIN_AUTH=basic:${user}:${await hashOperatorPassword(password)}`);
  return 0;
}

/** Reads from the terminal without echo, or the first line of whatever is piped in. */
function terminalPrompt(): PasswordPrompt {
  const interactive = process.stdin.isTTY === true;
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const lines = createInterface({ input: process.stdin, output, terminal: interactive });
  const iterator = lines[Symbol.asyncIterator]();
  return {
    interactive,
    async read(question) {
      if (interactive) process.stderr.write(question);
      muted = true;
      const next = await iterator.next();
      muted = false;
      if (interactive) process.stderr.write('\n');
      return next.done ? null : next.value;
    },
  };
}

if (require.main === module) {
  const prompt = terminalPrompt();
  void runOperatorPasswordCommand(process.argv.slice(2), prompt, (line) => process.stdout.write(`${line}\n`)).then((code) => {
    process.exitCode = code;
    process.stdin.destroy();
  });
}
