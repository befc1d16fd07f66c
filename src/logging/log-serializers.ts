
/**
 * A URL as it may be logged: the path, and the names of query parameters without their values. The callback's
 * query carries the authorization code and the state.
 */
export function loggableUrl(url: string | undefined): string {
  if (!url) return '';
  const [path, query] = url.split('?', 2);
  if (query === undefined) return path;
  const names = [...new URLSearchParams(query).keys()].map((name) => `${name.slice(0, 32)}=…`);
  return `${path}?${names.join('&')}`;
}

/** Requests are logged by what identifies them; headers (Authorization, cookies) never. */
export function serializeRequest(request: { id?: unknown; method?: string; url?: string; ip?: string }) {
  return { id: request.id, method: request.method, url: loggableUrl(request.url), remoteAddress: request.ip };
}

export function serializeResponse(response: { statusCode?: number }) {
  return { statusCode: response.statusCode };
}

/** An error by its type and code only: library errors carry the request they failed on. */
export function serializeError(error: { name?: string; code?: unknown; constructor?: { name?: string } }) {
  return { type: error?.name ?? error?.constructor?.name ?? 'Error', code: typeof error?.code === 'string' ? error.code : undefined };
}
