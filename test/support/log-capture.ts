import { Writable } from 'node:stream';

/** Collects every log line the vault writes, so a test can search them. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.length > 0));
    done();
  }

  get text(): string {
    return this.lines.join('\n');
  }

  /** The secrets that appear anywhere in the captured logs. */
  leaked(secrets: readonly string[]): string[] {
    const text = this.text;
    return secrets.filter((secret) => secret.length > 0 && text.includes(secret));
  }
}
