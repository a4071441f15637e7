import { TICK_MODES, TickMode } from '../../../sdk/protocol';

/** What a KiteTicker client sends: {a:"subscribe",v:[tokens]}, {a:"unsubscribe",v:[tokens]}, {a:"mode",v:[mode,[tokens]]}. */
export type KiteCommand =
  | { action: 'subscribe' | 'unsubscribe'; tokens: number[] }
  | { action: 'mode'; mode: TickMode; tokens: number[] };

export type KiteParse = { ok: true; command: KiteCommand } | { ok: false; error: string };

const TOKEN = /^\d{1,10}$/;

/** Kite's clients send tokens as numbers, some as digit strings. */
function tokens(value: unknown, max: number): number[] | string {
  if (!Array.isArray(value)) return 'v must be a list of instrument tokens';
  if (value.length > max) return `at most ${max} instruments per connection`;
  const out: number[] = [];
  for (const t of value) {
    const n = typeof t === 'string' && TOKEN.test(t) ? Number(t) : t;
    if (!Number.isSafeInteger(n) || (n as number) <= 0) return `invalid instrument token ${JSON.stringify(t)?.slice(0, 40)}`;
    out.push(n as number);
  }
  return out;
}

export function parseKiteMessage(text: string, maxTokens: number): KiteParse {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { ok: false, error: 'message is not JSON' };
  }
  const { a, v } = (typeof message === 'object' && message !== null ? message : {}) as { a?: unknown; v?: unknown };
  if (a === 'subscribe' || a === 'unsubscribe') {
    const list = tokens(v, maxTokens);
    return typeof list === 'string' ? { ok: false, error: list } : { ok: true, command: { action: a, tokens: list } };
  }
  if (a === 'mode') {
    if (!Array.isArray(v) || v.length !== 2 || !TICK_MODES.includes(v[0] as TickMode)) return { ok: false, error: 'mode expects v: ["ltp"|"quote"|"full", [tokens]]' };
    const list = tokens(v[1], maxTokens);
    return typeof list === 'string' ? { ok: false, error: list } : { ok: true, command: { action: 'mode', mode: v[0] as TickMode, tokens: list } };
  }
  return { ok: false, error: 'unknown action; expected subscribe, unsubscribe or mode' };
}
