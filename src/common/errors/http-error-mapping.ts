import { isTransientDatabaseError } from '../database/transient-error';
import { DomainError } from './domain-error';
import { ErrorEnvelope, ErrorType } from './error-type';

export interface MappedError {
  status: number;
  body: ErrorEnvelope;
  headers: Record<string, string>;
}

/** Fastify's own error codes raised before a route runs (parsing, size, media type). */
const FASTIFY_CODES: Record<string, { status: number; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, message: 'Request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, message: 'Unsupported content type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, message: 'Content-Length does not match the body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, message: 'Body is empty but Content-Type is application/json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, message: 'Malformed JSON body' },
  FST_ERR_CTP_MALFORMED_JSON: { status: 400, message: 'Malformed JSON body' },
};

function typeForStatus(status: number): ErrorType {
  if (status === 401) return ErrorType.Token;
  if (status === 403) return ErrorType.Permission;
  if (status === 502 || status === 503 || status === 504) return ErrorType.Network;
  if (status >= 400 && status < 500 && status !== 404 && status !== 429) return ErrorType.Input;
  return ErrorType.General;
}

function envelope(status: number, message: string, code?: string, errorType = typeForStatus(status)): MappedError {
  return { status, headers: {}, body: { status: 'error', message, error_type: errorType, ...(code ? { code } : {}), data: null } };
}

interface HttpLike {
  getStatus(): number;
  getResponse(): string | object;
}

function isHttpLike(e: unknown): e is HttpLike {
  return typeof (e as HttpLike)?.getStatus === 'function' && typeof (e as HttpLike)?.getResponse === 'function';
}

function messageOf(response: string | object, fallback: string): string {
  if (typeof response === 'string') return response;
  const m = (response as { message?: unknown }).message;
  if (Array.isArray(m)) return m.join('; ');
  return typeof m === 'string' ? m : fallback;
}

/**
 * One place that turns any thrown value into the API's error envelope. Unknown errors
 * become a 500 with a generic message: internals never reach the client.
 */
export function mapError(error: unknown): MappedError {
  if (error instanceof DomainError) {
    const mapped = envelope(error.httpStatus, error.message, error.code, error.errorType);
    return { ...mapped, headers: error.headers };
  }
  if (isHttpLike(error)) {
    const status = error.getStatus();
    const fallback = status === 404 ? 'Route not found' : 'Request failed';
    return envelope(status, messageOf(error.getResponse(), fallback));
  }
  const code = (error as { code?: string })?.code;
  if (code && FASTIFY_CODES[code]) {
    const known = FASTIFY_CODES[code];
    return envelope(known.status, known.message);
  }
  const statusCode = (error as { statusCode?: number })?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    // Other client errors from Fastify (e.g. a JSON SyntaxError): safe to say it was the request.
    return envelope(statusCode, statusCode === 400 ? 'Malformed request' : 'Request rejected');
  }
  if (isTransientDatabaseError(error)) {
    // Each write is one transaction, so it either committed or left nothing; when the connection
    // dropped at the commit the client cannot tell which: a retry with the same Idempotency-Key can.
    const mapped = envelope(503, 'The service cannot reach its database just now; try again shortly', 'SERVICE.DATABASE_UNAVAILABLE');
    return { ...mapped, headers: { 'retry-after': '1' } };
  }
  return envelope(500, 'Internal error; it has been logged', undefined, ErrorType.General);
}
