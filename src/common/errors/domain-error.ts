import { ErrorType } from './error-type';

/**
 * Base for every error a module raises on purpose. The HTTP status and error_type travel
 * with the error so the one exception filter needs no per-module knowledge.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly errorType: ErrorType,
    readonly httpStatus: number,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InputError extends DomainError {
  constructor(message: string, code = 'INPUT.INVALID') {
    super(code, message, ErrorType.Input, 400);
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string, code = 'RESOURCE.NOT_FOUND') {
    super(code, message, ErrorType.General, 404);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, code = 'RESOURCE.CONFLICT', errorType = ErrorType.Input) {
    super(code, message, errorType, 409);
  }
}

export class ServiceUnavailableError extends DomainError {
  constructor(message: string, code = 'SERVICE.UNAVAILABLE') {
    super(code, message, ErrorType.Network, 503);
  }
}

export class TooManyRequestsError extends DomainError {
  constructor(message: string, retryAfterSeconds: number, code = 'RATE.LIMITED') {
    super(code, message, ErrorType.General, 429, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}
