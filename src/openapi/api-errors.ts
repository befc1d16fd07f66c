import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorCode, ErrorStatus, statusOfCode } from '../errors/error-catalogue';

const DESCRIPTIONS: Readonly<Record<ErrorStatus, string>> = {
  400: 'The request is malformed',
  401: 'No valid credentials',
  403: 'The caller may not do this',
  404: 'Nothing to answer with',
  405: 'The route does not take this method',
  406: 'The answer cannot take the form asked for',
  408: 'The request took too long to arrive',
  409: 'The request conflicts with the current state',
  413: 'The body is too large',
  414: 'The URL is too long',
  415: 'The body is not JSON',
  422: 'The broker or the clock says the token cannot be kept',
  429: 'Too many requests: wait for Retry-After seconds',
  431: 'The headers are too large',
  500: 'The vault failed',
  502: 'The broker answered badly',
  503: 'A dependency does not answer; try again shortly',
  504: 'The broker did not answer in time',
};

/** The codes by their status in the catalogue, statuses in ascending order, codes as given. */
export function codesByStatus(codes: readonly ErrorCode[]): Array<[ErrorStatus, ErrorCode[]]> {
  const grouped = new Map<ErrorStatus, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = statusOfCode(code);
    grouped.set(status, [...(grouped.get(status) ?? []), code]);
  }
  return [...grouped].sort(([a], [b]) => a - b);
}

/**
 * Documents every error a route answers as the one error body, `{error, message}`, each under its code's status
 * in the catalogue, with `error` limited to the codes listed for that status: a consumer switches on the code, so the
 * document names each one it can meet.
 */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const responses = codesByStatus(codes).map(([status, listed]) =>
    ApiResponse({
      status,
      description: DESCRIPTIONS[status],
      content: { 'application/json': { schema: errorBody(listed), example: { error: listed[0], message: `the reason, for a person (${listed[0]})` } } },
    }),
  );
  return applyDecorators(...responses);
}

function errorBody(codes: readonly ErrorCode[]) {
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
export function ApiPageErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const responses = codesByStatus(codes).map(([status, listed]) =>
    ApiResponse({
      status,
      description: `${DESCRIPTIONS[status]}: a page naming the code (${listed.join(', ')})`,
      content: { 'text/html': { schema: { type: 'string', 'x-error-codes': [...listed] } as Record<string, unknown> } },
    }),
  );
  return applyDecorators(...responses);
}
