import { INestApplication, Injectable } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export const API_TITLE = 'token-vault';

const DESCRIPTION =
  "Keeps Pocketful's daily OAuth2 access tokens, encrypted until midnight IST, and serves them to internal trading " +
  'services. Every error is JSON `{"error": "<stable code>", "message": "<for a person>"}` (the pages answer a page ' +
  'naming the code); the codes each route can answer are listed on its responses.';

/**
 * The OpenAPI document, made from the controllers' decorators the first time someone asks for it: scanning every
 * controller takes tens of milliseconds that the vault's start does not need to spend.
 */
@Injectable()
export class OpenApiDocument {
  private app: INestApplication | null = null;
  private json: string | null = null;

  /** The application whose routes the document describes; called once, as the app is assembled. */
  describe(app: INestApplication): void {
    this.app = app;
  }

  asJson(): string {
    this.json ??= JSON.stringify(this.build());
    return this.json;
  }

  private build(): OpenAPIObject {
    if (this.app === null) throw new Error('OpenApiDocument.describe(app) was never called');
    const config = new DocumentBuilder()
      .setTitle(API_TITLE)
      .setDescription(DESCRIPTION)
      .setVersion(versionOf())
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', description: 'A service key from VAULT_CLIENTS_FILE: Authorization: Bearer <key>' },
        'serviceKey',
      )
      .addBasicAuth(
        {
          type: 'http',
          scheme: 'basic',
          description: 'The operator pages, as ADMIN_AUTH says: basic asks for an operator password; none asks for nothing',
        },
        'operator',
      )
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', description: '/metrics, as METRICS_AUTH says: bearer asks for its secret; none and allow ask for nothing' },
        'metricsToken',
      )
      .build();
    return SwaggerModule.createDocument(this.app, config);
  }
}

/** The version in package.json; esbuild writes the manifest into the bundle (see status/vault-version.ts). */
function versionOf(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}
