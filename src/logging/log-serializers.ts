/**
 * The most of a URL a log line keeps. Every route's path is far shorter; past it is whatever a caller typed, up to
 * the 16 KB Node.js allows a request's head, which would otherwise be copied into the log once per request.
 */
export const LOGGED_URL_CHARS = 200;

/**
 * A URL as it may be logged: the path, and the names of query parameters without their values (the callback's
 * query carries the authorization code and the state); cut at LOGGED_URL_CHARS, with the URL's full length.
 */
export function loggableUrl(url: string | undefined): string {
  if (!url) return '';
  const [path, query] = url.split('?', 2);
  const shown = query === undefined ? path : `${path}?${[...new URLSearchParams(query).keys()].map((name) => `${name.slice(0, 32)}=…`).join('&')}`;
  return shown.length <= LOGGED_URL_CHARS ? shown : `${shown.slice(0, LOGGED_URL_CHARS)}… (${url.length} characters)`;
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
