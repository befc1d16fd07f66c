import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import { PAGE_STYLE_HASH } from './pages/html';

/**
 * Helmet's set for the pages, with a Content-Security-Policy that allows nothing they do not use: no script at all,
 * the one inline stylesheet by its hash, forms posting only to the vault. The headers are the same for every page,
 * so helmet runs once, at start, and its answer is kept.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = headersOf(
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: [PAGE_STYLE_HASH],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    // Pages link to the broker's login: the referrer would leak the callback's code and state.
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  }),
);

/**
 * Every answer, JSON or page: tokens must not sit in a cache between the vault and its caller, and a body is never
 * to be sniffed into something else. The rest of helmet's set only means something to a browser rendering a page.
 */
export const API_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

type Middleware = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

/** Helmet's answer is the same for every request: computed once, at start. */
export function headersOf(middleware: Middleware): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  middleware({} as IncomingMessage, response as unknown as ServerResponse, (error) => {
    if (error) throw error;
  });
  return headers;
}
