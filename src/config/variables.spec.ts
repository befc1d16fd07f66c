import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { OptionalFlag, OptionalHttpUrl, OptionalWholeNumber, splitList, trimSlash } from './variables';

describe(splitList.name, () => {
  it('splits on commas and any whitespace, dropping empty items', () => {
    expect(splitList('a,b c\td\n e ,, f,')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('gives nothing for separators only', () => {
    expect(splitList(' , ,\t')).toEqual([]);
    expect(splitList('')).toEqual([]);
  });
});

class Sample {
  @OptionalWholeNumber(1, 10)
  COUNT?: number;

  @OptionalFlag()
  ENABLED?: string;

  @OptionalHttpUrl()
  HOOK?: string;
}

const problems = (raw: Record<string, string>) =>
  validateSync(plainToInstance(Sample, raw), { forbidUnknownValues: false }).map((error) => Object.values(error.constraints ?? {})[0]);

describe('the shared variable checks', () => {
  it('read a whole number from its text before checking its range', () => {
    expect(plainToInstance(Sample, { COUNT: '7' }).COUNT).toBe(7);
    expect(problems({ COUNT: '7' })).toEqual([]);
  });

  it.each(['0', '11', '1.5', ' 3', '0x3', 'three'])('refuse a whole number %j out of range or not whole, with one message', (value) => {
    expect(problems({ COUNT: value })).toEqual(['COUNT must be a whole number from 1 to 10']);
  });

  it('take true or false as a flag, and nothing else', () => {
    expect(problems({ ENABLED: 'true' })).toEqual([]);
    expect(problems({ ENABLED: 'yes' })).toEqual(['ENABLED must be true or false']);
  });

  it('take http(s) URLs with bare host names, and nothing else', () => {
    expect(problems({ HOOK: 'http://alerts:8080/hook' })).toEqual([]);
    expect(problems({ HOOK: 'ftp://alerts/hook' })).toEqual(['HOOK must be an http(s) URL']);
  });

  it('leave unset variables alone', () => {
    expect(problems({})).toEqual([]);
  });

  it('trim trailing slashes off a URL', () => {
    expect(trimSlash('https://a.example//')).toBe('https://a.example');
  });
});
