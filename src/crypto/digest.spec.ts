import { createHash } from 'node:crypto';
import { digestsEqual, sha256Hex } from './digest';

describe('sha256Hex', () => {
  it('is the lower-case hex SHA-256 of the UTF-8 text', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('ü')).toBe(createHash('sha256').update(Buffer.from('ü', 'utf8')).digest('hex'));
  });
});

describe('digestsEqual', () => {
  const a = sha256Hex('key-a');
  const b = sha256Hex('key-b');

  it('is true for the same digest', () => {
    expect(digestsEqual(a, a)).toBe(true);
    expect(digestsEqual(a, sha256Hex('key-a'))).toBe(true);
  });

  it('compares bytes, so upper- and lower-case hex of one digest are equal', () => {
    expect(digestsEqual(a, a.toUpperCase())).toBe(true);
  });

  it('is false for different digests, even differing only in the last character', () => {
    expect(digestsEqual(a, b)).toBe(false);
    const lastChanged = `${a.slice(0, -1)}${a.endsWith('0') ? '1' : '0'}`;
    expect(digestsEqual(a, lastChanged)).toBe(false);
  });

  it('is false, without throwing, for different lengths', () => {
    expect(digestsEqual(a, a.slice(0, 62))).toBe(false);
    expect(digestsEqual(a.slice(0, 62), a)).toBe(false);
    expect(digestsEqual(a, `${a}00`)).toBe(false);
  });

  it('is false for empty input', () => {
    expect(digestsEqual('', '')).toBe(false);
    expect(digestsEqual(a, '')).toBe(false);
  });

  it('is false for text that is not whole hex, even where the hex decoder would read equal bytes', () => {
    // Node's hex decoder stops at the first bad pair: 'abc', 'abd' and 'abzz' all decode to <ab>.
    expect(Buffer.from('abc', 'hex').equals(Buffer.from('abd', 'hex'))).toBe(true);
    expect(digestsEqual('abc', 'abd')).toBe(false);
    expect(digestsEqual('ab', 'abzz')).toBe(false);
    expect(digestsEqual(`${a}z`, a)).toBe(false);
    expect(digestsEqual('zz', 'zz')).toBe(false);
  });
});
