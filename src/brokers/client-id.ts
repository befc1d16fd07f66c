/**
 * Pocketful client ids are short upper-case codes such as `YA0002`. Anything outside this shape is refused
 * before it reaches a store key, which keeps `../x`, control characters and 10 KB ids out of Redis.
 */
const CLIENT_ID_PATTERN = /^[A-Z0-9][A-Z0-9_-]{0,31}$/;

export function isClientId(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_ID_PATTERN.test(value);
}

/** Ids are compared upper-case, as Pocketful writes them, so `ya0002` and `YA0002` are one account. */
export function normalizeClientId(value: string): string {
  if (!LOWER_CASE.test(value)) return value;
  // ASCII letters only: full Unicode upper-casing turns 'ſ', 'ı' and 'ß' into S, I and SS, making valid aliases.
  return value.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

const LOWER_CASE = /[a-z]/;
