import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PAGE_STYLE_HASH } from './pages/html';

/**
 * Helmet's headers on every response, with a Content-Security-Policy that allows nothing the vault's pages do
 * not use: no script at all, the one inline stylesheet by its hash, forms posting only to the vault.
 */
export async function registerSecurityHeaders(app: NestFastifyApplication): Promise<void> {
  await app.register(helmet, {
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
    // Pages link to the broker's login: a cross-origin opener policy would break nothing, the referrer would leak
    // the callback's code and state.
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
}
