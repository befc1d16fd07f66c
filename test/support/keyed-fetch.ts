/** A vault as a service reaches it: a request with the service key of a client, by name. */
export interface KeyedVault {
  fetch(path: string, init?: RequestInit & { as?: string }): Promise<Response>;
}

/** A request to `base` with the key of the client named `as`, if any; redirects are the test's to look at. */
export function keyedFetch(base: string, keys: Record<string, string>, path: string, init: RequestInit & { as?: string } = {}): Promise<Response> {
  const { as, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (as) headers.set('authorization', `Bearer ${keys[as]}`);
  return fetch(`${base}${path}`, { ...rest, headers, redirect: 'manual' });
}
