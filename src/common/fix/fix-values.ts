/**
 * FIX wire values <-> the platform's integers. FIX carries prices as decimal strings in rupees;
 * the core speaks integer paise. jspurefix's toObject() turns Price/Qty fields into JS numbers,
 * so callers read the raw string (view.getString) and convert here, without a float in between.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: 'format' | 'range' };

// FIX "Price" is a decimal: optional sign, digits, optional fraction. No exponent, no separators.
const DECIMAL = /^(-?)(\d{1,13})(?:\.(\d+))?$/;

/**
 * "1234.5" → 123450 paise. Trailing zeros past the paisa are fine ("100.500"); a non-zero third
 * decimal is not a paise amount and is refused as out of range rather than rounded.
 */
export function fixPriceToPaise(text: string): Parsed<number> {
  const m = DECIMAL.exec(text);
  if (!m) return { ok: false, reason: 'format' };
  const [, sign, whole, fraction = ''] = m;
  if (/[1-9]/.test(fraction.slice(2))) return { ok: false, reason: 'range' };
  const paise = Number(whole) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0'));
  if (!Number.isSafeInteger(paise)) return { ok: false, reason: 'range' };
  return { ok: true, value: sign === '-' && paise !== 0 ? -paise : paise };
}

/** 123450 → "1234.50": always two places, so the wire text is the exact amount. */
export function paiseToFixPrice(paise: number): string {
  if (!Number.isSafeInteger(paise)) throw new RangeError(`not an integer number of paise: ${paise}`);
  const abs = Math.abs(paise);
  const rupees = Math.floor(abs / 100);
  const rest = String(abs % 100).padStart(2, '0');
  return `${paise < 0 ? '-' : ''}${rupees}.${rest}`;
}

/** FIX Qty is a decimal too; equities trade whole shares, so "100" and "100.0" only. */
export function fixQtyToInt(text: string): Parsed<number> {
  const m = /^(\d{1,12})(?:\.(0*))?$/.exec(text);
  if (!m) return /^\d+\.\d+$/.test(text) ? { ok: false, reason: 'range' } : { ok: false, reason: 'format' };
  return { ok: true, value: Number(m[1]) };
}

/** UTCTimestamp with milliseconds (FIX 4.4: YYYYMMDD-HH:MM:SS.sss), written as text so stored
 * message bodies stay JSON and resend byte-for-byte the same value. */
export function fixUtcTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`
  );
}

/**
 * UTCTimestamp text (YYYYMMDD-HH:MM:SS, milliseconds optional in FIX 4.4) → epoch ms, or
 * undefined when it is not a real UTC time (so the caller decides, instead of an Invalid Date
 * travelling on into the core).
 */
export function parseFixUtcTimestamp(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction = ''] = m;
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const epoch = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  // Date.UTC rolls 2026-02-31 over into March; a value that does not round-trip is not a date.
  return new Date(epoch).getUTCDate() === Number(d) && Number(h) < 24 && Number(mi) < 60 && Number(s) < 61 ? epoch : undefined;
}
