import { isClientId, normalizeClientId } from './client-id';

describe('isClientId', () => {
  it.each(['YA0002', 'A', '0', 'YA-0002', 'YA_0002', 'A'.repeat(32)])('accepts %j', (id) => {
    expect(isClientId(id)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['path traversal', '../x'],
    ['slash', 'YA/0002'],
    ['Redis key separator', 'YA:0002'],
    ['glob', 'YA*'],
    ['lower case (must be normalized first)', 'ya0002'],
    ['leading dash', '-YA0002'],
    ['leading underscore', '_YA0002'],
    ['33 characters', 'A'.repeat(33)],
    ['10 KB', 'A'.repeat(10 * 1024)],
    ['space', 'YA 0002'],
    ['trailing newline', 'YA0002\n'],
    ['NUL', 'YA\u00000002'],
    ['DEL', 'YA0002\u007f'],
    ['unicode letter', 'YÄ0002'],
    ['fullwidth digits', 'YA００02'],
    ['emoji', 'YA0002😀'],
  ])('refuses %s', (_label, id) => {
    expect(isClientId(id)).toBe(false);
  });

  it.each([undefined, null, 42, {}, ['YA0002']])('refuses the non-string %p', (value) => {
    expect(isClientId(value)).toBe(false);
  });
});

describe('normalizeClientId', () => {
  it('upper-cases ASCII letters so ya0002 and YA0002 are one account', () => {
    expect(normalizeClientId('ya0002')).toBe('YA0002');
    expect(normalizeClientId('Ya-0b_2')).toBe('YA-0B_2');
    expect(isClientId(normalizeClientId('ya0002'))).toBe(true);
  });

  it('leaves an already normalized id as it is', () => {
    expect(normalizeClientId('YA0002')).toBe('YA0002');
  });

  it.each([
    ['long s', 'ſa0002'],
    ['dotless i', 'yaı002'],
    ['sharp s', 'yaß002'],
    ['ligature ff', 'ﬀ0002'],
  ])('does not turn a non-ASCII letter (%s) into a valid ASCII id', (_label, id) => {
    const normalized = normalizeClientId(id);
    expect(isClientId(normalized)).toBe(false);
    expect(normalized).not.toMatch(/^[A-Z0-9_-]+$/);
  });

  it('keeps refusing ../x, control characters and 10 KB ids after normalizing', () => {
    expect(isClientId(normalizeClientId('../x'))).toBe(false);
    expect(isClientId(normalizeClientId('ya\u00000002'))).toBe(false);
    expect(isClientId(normalizeClientId('a'.repeat(10 * 1024)))).toBe(false);
  });
});
