import { ApiErrors, ApiPageErrors, codesByStatus } from './api-errors';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Responses = Record<string, { description: string; content: Record<string, { schema: any }> }>;

function responsesOf(decorator: MethodDecorator): Responses {
  class Routes {
    handler(): void {}
  }
  const descriptor = Object.getOwnPropertyDescriptor(Routes.prototype, 'handler')!;
  decorator(Routes.prototype, 'handler', descriptor);
  return Reflect.getMetadata('swagger/apiResponse', descriptor.value) as Responses;
}

describe('codesByStatus', () => {
  it('groups the codes under their statuses in the catalogue, statuses ascending, each code once', () => {
    expect(codesByStatus(['store_unavailable', 'forbidden', 'invalid_client_id', 'account_not_allowed', 'forbidden', 'audit_unavailable'])).toEqual([
      [400, ['invalid_client_id']],
      [403, ['forbidden', 'account_not_allowed']],
      [503, ['store_unavailable', 'audit_unavailable']],
    ]);
  });
});

describe('ApiErrors', () => {
  it('documents each status with the {error, message} body, its error limited to that status’s codes', () => {
    const responses = responsesOf(ApiErrors('token_not_found', 'unauthorized', 'not_found'));
    expect(Object.keys(responses).sort()).toEqual(['401', '404']);
    const schema = responses['404'].content['application/json'].schema;
    expect(schema.required).toEqual(['error', 'message']);
    expect(schema.properties.error.enum).toEqual(['token_not_found', 'not_found']);
    expect(responses['401'].content['application/json'].schema.properties.error.enum).toEqual(['unauthorized']);
  });
});

describe('ApiPageErrors', () => {
  it('documents each status as a page naming its codes', () => {
    const responses = responsesOf(ApiPageErrors('state_replayed', 'state_unknown', 'code_already_used'));
    expect(Object.keys(responses).sort()).toEqual(['400', '409']);
    expect(responses['409'].content['text/html'].schema['x-error-codes']).toEqual(['state_replayed', 'code_already_used']);
    expect(responses['409'].description).toContain('state_replayed, code_already_used');
  });
});
