import {
  InstrumentRef,
  RealtimeError,
  RejectedInstrument,
  TICK_MODES,
  TickMode,
} from '../../../sdk/protocol';

export interface ParsedRequest {
  mode: TickMode;
  refs: InstrumentRef[];
  /** Elements of the wrong type or shape. */
  invalid: unknown[];
}

export type ParseResult = { ok: true; request: ParsedRequest } | { ok: false; error: RealtimeError };

export interface ResolvedInstrument {
  ref: InstrumentRef;
  token: number;
  key: string;
}

const MAX_REF_LENGTH = 48;
const MAX_ECHOED_REFS = 20;

const isRef = (v: unknown): v is InstrumentRef =>
  (typeof v === 'string' && v.length > 0 && v.length <= MAX_REF_LENGTH) || (Number.isSafeInteger(v) && (v as number) > 0);

/**
 * Checks a client's subscribe/unsubscribe payload. The whole message is refused when its shape
 * is wrong or it lists more instruments than one connection may hold (`maxInstruments`); single
 * bad elements are reported and the rest still served.
 */
export function parseInstrumentRequest(event: 'subscribe' | 'unsubscribe', payload: unknown, maxInstruments: number): ParseResult {
  const bad = (message: string): ParseResult => ({ ok: false, error: { code: 'BAD_REQUEST', message, event } });
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return bad(`${event} expects an object { instruments: [...] }`);
  const { instruments, mode = 'quote' } = payload as { instruments?: unknown; mode?: unknown };
  if (!Array.isArray(instruments)) return bad('instruments must be an array of "EXCHANGE:SYMBOL" strings or instrument tokens');
  if (instruments.length > maxInstruments) {
    return { ok: false, error: { code: 'TOO_MANY_INSTRUMENTS', message: `at most ${maxInstruments} instruments per connection`, event } };
  }
  if (event === 'subscribe' && !TICK_MODES.includes(mode as TickMode)) return bad(`mode must be one of ${TICK_MODES.join(', ')}`);
  const refs: InstrumentRef[] = [];
  const invalid: unknown[] = [];
  for (const item of instruments) (isRef(item) ? refs : invalid).push(item);
  return { ok: true, request: { mode: mode as TickMode, refs, invalid } };
}

/** Looks each reference up in the instrument master; duplicates (by token) count once. */
export function resolveRefs(
  refs: readonly InstrumentRef[],
  lookup: (ref: InstrumentRef) => { instrumentToken: number; exchange: string; tradingsymbol: string } | undefined,
): { resolved: ResolvedInstrument[]; unknown: InstrumentRef[] } {
  const resolved: ResolvedInstrument[] = [];
  const unknown: InstrumentRef[] = [];
  const seen = new Set<number>();
  for (const ref of refs) {
    const instrument = lookup(ref);
    if (!instrument) {
      unknown.push(ref);
      continue;
    }
    if (seen.has(instrument.instrumentToken)) continue;
    seen.add(instrument.instrumentToken);
    resolved.push({ ref, token: instrument.instrumentToken, key: `${instrument.exchange}:${instrument.tradingsymbol}` });
  }
  return { resolved, unknown };
}

export function rejection(reason: RejectedInstrument['reason'], refs: readonly unknown[]): RejectedInstrument[] {
  return refs.map((ref) => ({ ref, reason }));
}

/** The error event for refused elements; echoes a bounded number of them back. */
export function elementError(
  code: 'UNKNOWN_INSTRUMENT' | 'SUBSCRIPTION_LIMIT' | 'BAD_REQUEST',
  event: string,
  refs: readonly unknown[],
  message: string,
): RealtimeError {
  return { code, event, message, refs: refs.slice(0, MAX_ECHOED_REFS) };
}
