import SwaggerParser from '@apidevtools/swagger-parser';
import type { Browser } from 'playwright-core';
import { isErrorCode, statusOfCode } from '../src/errors/error-catalogue';
import { closeAll } from './support/close-all';
import { launchChromium } from './support/chromium';
import { FakePocketful } from './support/fake-pocketful';
import { json, TestVault } from './support/test-vault';

/** Routes the document leaves out on purpose: its own two, the docs page's files, and Fastify's automatic HEADs. */
const UNDOCUMENTED = ['GET /openapi.json', 'GET /docs', 'GET /docs/init.js', 'GET /docs/{asset}', 'GET /favicon.ico'];
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

/**
 * Every method and full path Fastify registered, read from printRoutes' tree: each line is a segment, indented four
 * characters per level under its parent, with the methods it answers in brackets.
 */
function registeredRoutes(tree: string): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[└├]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    stack.length = depth;
    stack.push(match[2]);
    const path = stack.join('');
    for (const method of match[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
  }
  return routes;
}

/**
 * Whether a route as the router prints it is a documented path. Where routes share a parameter's place the router
 * prints one node for all their names (`/v1/tokens/{clientId}|{broker}/{id}`): the documented path must use one of them.
 */
function samePath(route: string, documented: string): boolean {
  const escape = (text: string) => text.replace(/[.*+?^$()[\]\\/]/g, '\\$&');
  const pattern = route
    .split(/(\{\w+\}(?:\|\{\w+\})*)/)
    .map((part) => (part.startsWith('{') ? `\\{(?:${part.replace(/[{}]/g, '')})\\}` : escape(part)))
    .join('');
  return new RegExp(`^${pattern}$`).test(documented);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type OpenApi = any;

/** Each `error` enum and page error list of an operation, by status. */
function documentedCodes(operation: OpenApi): Record<string, string[]> {
  const codes: Record<string, string[]> = {};
  for (const [status, response] of Object.entries<OpenApi>(operation.responses ?? {})) {
    const content = response.content ?? {};
    const found = [...(content['application/json']?.schema?.properties?.error?.enum ?? []), ...(content['text/html']?.schema?.['x-error-codes'] ?? [])];
    if (found.length > 0) codes[status] = found;
  }
  return codes;
}

describe('the OpenAPI document and the docs page', () => {
  let broker: FakePocketful;
  let vault: TestVault;
  let document: OpenApi;

  jest.setTimeout(30_000);

  beforeAll(async () => {
    broker = await new FakePocketful().start();
    vault = await TestVault.start({ broker });
    const response = await vault.fetch('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    document = await json(response);
  });

  afterAll(async () => {
    await closeAll(
      () => vault?.close(),
      () => broker?.stop(),
    );
  });

  it('is a valid OpenAPI 3 document', async () => {
    expect(document.openapi).toMatch(/^3\./);
    // The parser resolves references in place: it is given a copy.
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeDefined();
  });

  it('describes every route the vault registered, but for its own', () => {
    const routes = registeredRoutes(vault.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false }));
    // The parse found the routes at all: the read path is among them.
    expect(routes.filter((route) => samePath(route, 'GET /v1/tokens/{clientId}'))).toHaveLength(1);
    const documented = Object.entries<OpenApi>(document.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = routes.filter((route) => !UNDOCUMENTED.includes(route));
    // One to one: every route served is documented, and every documented one is served.
    expect(served.filter((route) => !documented.some((path) => samePath(route, path)))).toEqual([]);
    expect(documented.filter((path) => !served.some((route) => samePath(route, path)))).toEqual([]);
    expect(served).toHaveLength(documented.length);
    expect(documented.filter((route) => UNDOCUMENTED.includes(route))).toEqual([]);
  });

  it("lists the read path's error codes, each a code the vault answers with", () => {
    const codes = documentedCodes(document.paths['/v1/tokens/{clientId}'].get);
    expect(codes).toEqual({
      '400': expect.arrayContaining(['invalid_client_id']),
      '401': ['unauthorized'],
      '403': ['forbidden'],
      '404': ['token_not_found'],
      '429': ['rate_limited'],
      '500': ['token_unreadable'],
      '503': expect.arrayContaining(['audit_unavailable', 'store_unavailable']),
    });
    const error = document.paths['/v1/tokens/{clientId}'].get.responses['404'].content['application/json'].schema;
    expect(error.required).toEqual(['error', 'message']);
  });

  it("describes an import's optional broker, its refusal, and the broker in its answer", () => {
    const operation = document.paths['/v1/tokens'].post;
    const resolve = (schema: OpenApi) => (schema.$ref ? document.components.schemas[schema.$ref.split('/').pop()] : schema);
    const body = resolve(operation.requestBody.content['application/json'].schema);
    expect(body.required).toEqual(['accessToken']);
    expect(body.properties.broker).toMatchObject({ type: 'string', enum: ['pocketful', 'zerodha', 'upstox', 'fyers', 'dhan'] });
    expect(documentedCodes(operation)['400']).toEqual(expect.arrayContaining(['invalid_request', 'broker_not_enabled']));
    expect(documentedCodes(operation)['422']).toEqual(expect.arrayContaining(['token_rejected']));
    const created = resolve(operation.responses['201'].content['application/json'].schema);
    expect(created.properties.broker).toMatchObject({ enum: ['pocketful', 'zerodha', 'upstox', 'fyers', 'dhan'] });
    expect(created.required).toContain('broker');
  });

  it('documents only codes of the error catalogue, each under its own status', () => {
    const documented = Object.entries<OpenApi>(document.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).flatMap((method) =>
        Object.entries(documentedCodes(item[method])).flatMap(([status, codes]) =>
          codes.map((code) => ({ route: `${method.toUpperCase()} ${path}`, status, code })),
        ),
      ),
    );
    // The pages' codes are read as well as the JSON routes'.
    expect(documented).toContainEqual({ route: 'GET /pocketful/callback', status: '409', code: 'state_replayed' });
    const wrong = documented.filter(({ status, code }) => !isErrorCode(code) || String(statusOfCode(code)) !== status);
    expect(wrong).toEqual([]);
  });

  it('declares the service key as a bearer scheme, required by the service routes and not by the probes', () => {
    expect(document.components.securitySchemes.serviceKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.paths['/v1/tokens/{clientId}'].get.security).toEqual([{ serviceKey: [] }]);
    expect(document.paths['/v1/audit'].get.security).toEqual([{ serviceKey: [] }]);
    expect(document.paths['/health/ready'].get.security).toBeUndefined();
  });

  it('describes what a read answers, with an example, and never a real token', () => {
    const ok = document.paths['/v1/tokens/{clientId}'].get.responses['200'].content['application/json'].schema;
    const schema = document.components.schemas[ok.$ref.split('/').pop()];
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['clientId', 'accessToken', 'expiresAt', 'expiresIn']));
    expect(schema.properties.clientId.example).toBe('YA0002');
  });

  it("describes each account of the status with its broker and that broker's login URL", () => {
    const schemaOf = (ref: string) => document.components.schemas[ref.split('/').pop()!];
    const status = schemaOf(document.paths['/v1/status'].get.responses['200'].content['application/json'].schema.$ref);
    const account = schemaOf(status.properties.accounts.items.$ref);
    expect(account.required).toEqual(expect.arrayContaining(['clientId', 'broker', 'loginUrl', 'state']));
    expect(account.properties.broker).toMatchObject({ type: 'string', enum: ['pocketful', 'zerodha', 'upstox', 'fyers', 'dhan'] });
    expect(account.properties.loginUrl).toMatchObject({ type: 'string', example: 'https://vault.desk.example/pocketful/login' });
  });

  it('serves the docs page with a policy that allows only its own files', async () => {
    const response = await vault.fetch('/docs');
    expect(response.status).toBe(200);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(await response.text()).not.toMatch(/<script>|<style>/);
    const script = await vault.fetch('/docs/swagger-ui-bundle.js');
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('SwaggerUIBundle');
    const missing = await vault.fetch('/docs/package.json');
    expect(missing.status).toBe(404);
    expect((await json(missing)).error).toBe('not_found');
  });

  describe('in a browser', () => {
    let browser: Browser;

    beforeAll(async () => {
      browser = await launchChromium();
    });

    afterAll(async () => {
      await closeAll(() => browser?.close());
    });

    it('shows the API and the read path, with nothing refused by its Content-Security-Policy', async () => {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
      });
      // Each refusal of the page's policy, as the page itself sees it: what the console shows may change wording.
      await page.addInitScript(() => {
        const page = globalThis as unknown as { __violations: string[]; document: { addEventListener(type: string, listener: (event: { violatedDirective: string; blockedURI: string }) => void): void } };
        page.__violations = [];
        page.document.addEventListener('securitypolicyviolation', (event) => page.__violations.push(`${event.violatedDirective} ${event.blockedURI}`));
      });
      const failed: string[] = [];
      page.on('requestfailed', (request) => failed.push(request.url()));
      await page.goto(`${vault.url}/docs`);
      await page.waitForSelector('.opblock-summary-path');
      expect(await page.textContent('.info .title')).toContain('token-vault');
      const paths = await page.$$eval('.opblock-summary-path', (elements) => elements.map((element) => element.getAttribute('data-path')));
      expect(paths).toContain('/v1/tokens/{clientId}');
      expect(await page.evaluate(() => (globalThis as unknown as { __violations: string[] }).__violations)).toEqual([]);
      expect(violations).toEqual([]);
      expect(failed).toEqual([]);
      await page.close();
    });
  });
});
