import { Body, Query, ValidationError, ValidationPipe } from '@nestjs/common';
import { invalidRequest } from './vault-error';

function messages(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => {
    // One message per field: class-validator lists constraints last-declared first, and the first declared
    // (such as "must be a string") is the one that explains the others.
    const own = Object.values(error.constraints ?? {}).slice(-1);
    return [...own, ...messages(error.children ?? [])];
  });
}

/** Unknown fields are refused, not dropped: a typo in a field name should be heard of. */
export function vaultValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => invalidRequest(messages(errors).join('; ') || 'the request body is not valid'),
  });
}

/**
 * The request body, checked against its DTO class. Bound on the parameter that takes a DTO rather than for the whole
 * app: a global pipe runs on every parameter of every route, the token read's four included, where it has nothing
 * to check (README, Performance). `test/static/validated-input.spec.ts` fails for any route parameter typed with a
 * DTO class that lacks it.
 */
export const ValidatedBody = (): ParameterDecorator => Body(vaultValidationPipe());

/** The query string, checked against its DTO class, as ValidatedBody. */
export const ValidatedQuery = (): ParameterDecorator => Query(vaultValidationPipe());
