/**
 * The `exp` of a token that is a JWT (Upstox's, Fyers' and Dhan's are), or undefined for one that is not or says none. The
 * signature is not checked (the vault has no key for it): the claim is only ever used to end a token sooner, never
 * to keep one longer than its broker's cut-off.
 */
export function jwtExpiry(token: string): Date | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const exp = (claims as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) && exp > 0 ? new Date(exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/** The earlier of two optional instants. */
export function earliest(...instants: Array<Date | undefined>): Date | undefined {
  return instants.reduce<Date | undefined>((soonest, at) => (at !== undefined && (soonest === undefined || at < soonest) ? at : soonest), undefined);
}
