import { labelChildren } from './label-children';

describe('labelChildren', () => {
  it('makes a child once per combination of label values, and hands it back after', () => {
    const made: string[][] = [];
    const child = labelChildren((...values) => {
      made.push(values);
      return { values };
    });
    const first = child('GET', '/v1/tokens/:clientId', '200');
    expect(child('GET', '/v1/tokens/:clientId', '200')).toBe(first);
    expect(child('GET', '/v1/tokens/:clientId', '404')).not.toBe(first);
    expect(made).toEqual([
      ['GET', '/v1/tokens/:clientId', '200'],
      ['GET', '/v1/tokens/:clientId', '404'],
    ]);
  });

  it('keeps apart values that would read the same joined', () => {
    const child = labelChildren((...values) => ({ values }));
    expect(child('a,b', 'c')).not.toBe(child('a', 'b,c'));
    expect(child('a\nb', 'c').values).toEqual(['a\nb', 'c']);
  });
});
