import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

/** The codes a route may answer with, by HTTP status: each status gets the `{error, message}` body with its codes. */
export type ErrorCodesByStatus = Readonly<Partial<Record<number, readonly string[]>>>;

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'The request is malformed',
  401: 'No valid credentials',
  403: 'The caller may not do this',
  404: 'Nothing to answer with',
  409: 'The request conflicts with the current state',
  413: 'The body is too large',
  415: 'The body is not JSON',
  422: 'Pocketful or the clock says the token cannot be kept',
  429: 'Too many requests: wait for Retry-After seconds',
  500: 'The vault failed',
  502: 'Pocketful answered badly',
  503: 'A dependency does not answer; try again shortly',
  504: 'Pocketful did not answer in time',
};

/**
 * Documents every error a route answers as the one error body, `{error, message}`, with `error` limited to the
 * codes listed for that status: a consumer switches on the code, so the document names each one it can meet.
 */
export function ApiErrors(codesByStatus: ErrorCodesByStatus): MethodDecorator & ClassDecorator {
  const responses = Object.entries(codesByStatus).map(([status, codes = []]) =>
    ApiResponse({
      status: Number(status),
      description: DESCRIPTIONS[Number(status)] ?? 'An error',
      content: { 'application/json': { schema: errorBody(codes), example: { error: codes[0], message: `the reason, for a person (${codes[0]})` } } },
    }),
  );
  return applyDecorators(...responses);
}

function errorBody(codes: readonly string[]) {
  return {
    type: 'object' as const,
    required: ['error', 'message'],
    properties: {
      error: { type: 'string' as const, enum: [...codes], description: 'A stable code, for programs' },
      message: { type: 'string' as const, description: 'What happened, for a person; never a secret' },
    },
  };
}

/**
 * The same for the routes people visit: an error is a page naming its code, so the codes are listed on the page's
 * schema (`x-error-codes`) rather than as a JSON enum.
 */
export function ApiPageErrors(codesByStatus: ErrorCodesByStatus): MethodDecorator & ClassDecorator {
  const responses = Object.entries(codesByStatus).map(([status, codes = []]) =>
    ApiResponse({
      status: Number(status),
      description: `${DESCRIPTIONS[Number(status)] ?? 'An error'}: a page naming the code (${codes.join(', ')})`,
      content: { 'text/html': { schema: { type: 'string', 'x-error-codes': [...codes] } as Record<string, unknown> } },
    }),
  );
  return applyDecorators(...responses);
}
