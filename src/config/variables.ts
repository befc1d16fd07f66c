import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUrl, Max, Min } from 'class-validator';

/**
 * What the variables of every slice have in common: lists, whole numbers, flags and URLs, each read and checked
 * one way.
 */

/** `a, b c` → `['a', 'b', 'c']`: items separated by commas or any whitespace. */
export function splitList(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

const toWholeNumber = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

/** An optional whole number from `min` to `max`, read from its text; `message` replaces the default wording. */
export function OptionalWholeNumber(min: number, max: number, message = `$property must be a whole number from ${min} to ${max}`) {
  return applyDecorators(IsOptional(), Transform(toWholeNumber), IsInt({ message }), Min(min, { message }), Max(max, { message }));
}

/** An optional `true` or `false`. */
export function OptionalFlag() {
  return applyDecorators(IsOptional(), IsIn(['true', 'false'], { message: '$property must be true or false' }));
}

/** An optional http(s) URL; the host may be a bare name, as inside a cluster. */
export function OptionalHttpUrl(message = '$property must be an http(s) URL') {
  return applyDecorators(IsOptional(), IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message }));
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
