import { ValidationError, ValidationPipe } from '@nestjs/common';
import { InputError } from '../errors/domain-error';

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {});
    return [...own, ...flatten(e.children ?? [], path)].map((m) => (own.includes(m) && !m.startsWith(path) ? `${path}: ${m}` : m));
  });
}

/** One strict pipe for every DTO: unknown fields are an error, not silently dropped. */
export function strictValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new InputError(flatten(errors).join('; ') || 'Invalid input', 'INPUT.VALIDATION'),
  });
}
