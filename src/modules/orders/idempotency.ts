import { createHash } from 'node:crypto';
import { DomainError, ErrorType } from '../../common/errors';

/** Keys clients send: printable, bounded (Stripe-style). */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;
export const IDEMPOTENCY_TTL_HOURS = 24;

export class IdempotencyMismatchError extends DomainError {
  constructor() {
    super('IDEMPOTENCY.KEY_REUSED', 'This Idempotency-Key was used with a different request', ErrorType.Input, 422);
  }
}

export class IdempotencyInFlightError extends DomainError {
  constructor() {
    super('IDEMPOTENCY.IN_FLIGHT', 'A request with this Idempotency-Key is still being processed', ErrorType.Input, 409);
  }
}

/** Order-independent hash of a request body: the same order sent twice hashes the same. */
export function requestHash(body: Record<string, unknown>): string {
  const canonical = JSON.stringify(Object.keys(body).sort().map((k) => [k, body[k] ?? null]));
  return createHash('sha256').update(canonical).digest('hex');
}
