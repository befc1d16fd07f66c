/** A secret shorter than this is not one: it would blank out ordinary words. */
const SHORTEST_SECRET = 4;
/**
 * The fewest of a copy's first characters taken for the copy, cut short: enough that ordinary text does not match
 * by chance (an `ory_ac_` code shares its first seven with every other), few enough that a broker that shortens a
 * code or a token in its message ("code ory_ac_Qw3r… is invalid") gives none of it away.
 */
const SHORTEST_PREFIX = 8;
const REDACTED = '[redacted]';

/**
 * The forms a secret the vault sent may come back in, in a broker's error message: as sent; URL-encoded, as a query
 * (`%2B`, `%2b`) or a form (`+` for a space) encodes it; and in base64 and base64url, alone or inside a longer
 * encoded text such as Basic credentials, where it stands at one of three alignments: at each, only the characters
 * made of the secret's bytes alone, whatever surrounds it.
 */
export function echoedForms(secret: string): string[] {
  if (secret.length < SHORTEST_SECRET) return [];
  const encoded = [...urlEncodings(secret), ...base64Encodings(secret)].filter((form) => form.length >= SHORTEST_PREFIX);
  return [...new Set([secret, ...encoded])];
}

/**
 * `text` with every copy of a secret replaced, in any of the forms above, whole or cut short: any run of at least
 * eight of a form's first characters (the whole form, if shorter). Where copies of several forms overlap, the
 * stretch they cover together goes, whichever form matched it furthest.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  const spans = [...new Set(secrets.flatMap(echoedForms))].flatMap((form) => copiesOf(form, text)).sort((a, b) => a.start - b.start);
  let result = '';
  let kept = 0;
  for (let index = 0; index < spans.length; ) {
    const { start } = spans[index];
    let { end } = spans[index];
    for (index += 1; index < spans.length && spans[index].start <= end; index += 1) end = Math.max(end, spans[index].end);
    result += text.slice(kept, start) + REDACTED;
    kept = end;
  }
  return result + text.slice(kept);
}

/** Where `text` holds the form, or at least its first SHORTEST_PREFIX characters, each as far as it matches. */
function copiesOf(form: string, text: string): Array<{ start: number; end: number }> {
  const lead = form.slice(0, SHORTEST_PREFIX);
  const copies: Array<{ start: number; end: number }> = [];
  for (let start = text.indexOf(lead); start >= 0; ) {
    let end = start + lead.length;
    while (end - start < form.length && text[end] === form[end - start]) end += 1;
    copies.push({ start, end });
    start = text.indexOf(lead, end);
  }
  return copies;
}

function urlEncodings(secret: string): string[] {
  const component = encodeURIComponent(secret);
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  return [component, form, encodeURIComponent(component)].flatMap((encoded) => [encoded, lowerHex(encoded)]);
}

const lowerHex = (encoded: string) => encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());

function base64Encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: string[] = [];
  for (let shift = 0; shift < 3; shift += 1) {
    const base64 = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    // Each 4 characters encode 3 bytes: after a shift, the first group holds bytes from before the secret, and the
    // last may hold bytes from after it. Unshifted, the whole encoding: a copy cut where other bytes follow the
    // secret still matches it from the start (scrubForm).
    const form = shift === 0 ? base64 : base64.slice(4, Math.floor((shift + bytes.length) / 3) * 4);
    forms.push(form, form.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  }
  return forms;
}
