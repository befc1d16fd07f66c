import { createHash, timingSafeEqual } from 'node:crypto';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

const HEX_DIGEST = /^(?:[0-9a-fA-F]{2})+$/;

/** Equal-length hex digests compared without an early exit, so timing tells nothing of how much matched. */
export function digestsEqual(a: string, b: string): boolean {
  // Buffer.from(.., 'hex') stops at the first non-hex pair, so 'abc' and 'abd' would both read as <ab>.
  if (!HEX_DIGEST.test(a) || !HEX_DIGEST.test(b)) return false;
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
