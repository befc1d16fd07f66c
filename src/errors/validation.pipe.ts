import { ValidationError, ValidationPipe } from '@nestjs/common';
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
