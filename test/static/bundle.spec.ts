import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The bundle npm test builds (pretest) and the image runs.
const bundle = readFileSync(join(__dirname, '..', '..', 'dist', 'vault.js'), 'latin1');

describe('the bundle, dist/vault.js', () => {
  it('is ASCII throughout, so V8 holds its source one byte a character rather than two', () => {
    const outside = [...bundle.matchAll(/[^\x00-\x7f]/g)].map((match) => bundle.slice(Math.max(0, match.index - 30), match.index + 10));
    expect(outside).toEqual([]);
  });

  it('keeps the escaped locale patterns matching what the originals match', () => {
    // validator's Japanese letters, one of the patterns the bundle writes as \uXXXX escapes.
    const escaped = /"ja-JP":(\/\^\[[^\]]*\]\+\$\/i)/.exec(bundle)?.[1];
    expect(escaped).toMatch(/\\u3041/);
    const pattern = new Function(`return ${escaped}`)() as RegExp;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const original = (require('validator/lib/alpha') as { alpha: Record<string, RegExp> }).alpha['ja-JP'];
    expect(pattern.source).not.toBe(original.source);
    for (const text of ['ひらがな', 'カタカナ', '漢字', 'abc', 'ｱｲｳ', '한글', '']) expect(pattern.test(text)).toBe(original.test(text));
  });
});
