import { VaultError } from '../../errors/vault-error';
import { MAX_WAIT_SECONDS, parseWaitSeconds, WaitSecondsPipe } from './waiting-reads';

describe(parseWaitSeconds.name, () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['07', 7],
    ['30', 30],
    [String(MAX_WAIT_SECONDS), 55],
  ])('reads %s as %d seconds', (text, seconds) => expect(parseWaitSeconds(text)).toBe(seconds));

  it.each([['56'], ['100'], ['-1'], ['1.5'], ['1e1'], [' 5'], ['5 '], ['+5'], [''], ['abc'], ['0x1']])('refuses %p', (text) => {
    expect(() => parseWaitSeconds(text)).toThrow(VaultError);
  });

  it('refuses a value given twice, and anything not text, as invalid_request', () => {
    for (const raw of [['5', '6'], 5, null, {}]) {
      try {
        parseWaitSeconds(raw);
        throw new Error(`accepted ${JSON.stringify(raw)}`);
      } catch (error) {
        expect(error).toMatchObject({ code: 'invalid_request', status: 400 });
      }
    }
  });
});

describe(WaitSecondsPipe.name, () => {
  const sut = new WaitSecondsPipe();

  it('leaves a read without ?wait as it is', () => {
    expect(sut.transform(undefined)).toBeUndefined();
  });

  it('reads ?wait=N as N seconds, and refuses what parseWaitSeconds refuses', () => {
    expect(sut.transform('30')).toBe(30);
    expect(() => sut.transform('')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => sut.transform(['5', '6'])).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
