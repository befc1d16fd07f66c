import helmet from 'helmet';
import { headersOf } from '../http/security-headers';

/**
 * The docs page's headers: helmet's set, with a Content-Security-Policy that lets the page use the vault's own
 * files only (Swagger UI's script and stylesheet, its initializer, the document it fetches, its inline SVG icons as
 * data: images). The other pages keep their stricter policy (http/security-headers.ts).
 */
export const DOCS_HEADERS: Readonly<Record<string, string>> = headersOf(
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  }),
);

