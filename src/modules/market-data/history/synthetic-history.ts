import { Mulberry32 } from '../../../common/random/prng';

/**
 * Plausible daily history for instruments without real data, so that a chart is never empty on
 * a fresh install. Deterministic (seeded by the ISIN, so a company's NSE and BSE listings get the
 * same path), flagged synthetic in storage and in the API, and ending exactly at the instrument's
 * reference close — the price the simulator opens at — on the last reference session.
 *
 * A geometric random walk run backwards from that close: daily volatility 1.2–3.2% and a small
 * drift per instrument, opens gapping from the previous close, wicks proportional to volatility,
 * lognormal volumes around a per-instrument level. Prices stay on the tick grid and inside
 * [close / 4, close × 4].
 */
export interface DailyBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface SyntheticHistoryInput {
  seed: string;
  /** Trading sessions, ascending (YYYY-MM-DD); the last one closes at lastClose. */
  sessions: readonly string[];
  lastClose: number;
  tickSize: number;
}

export function syntheticDailyHistory({ seed, sessions, lastClose, tickSize }: SyntheticHistoryInput): DailyBar[] {
  const n = sessions.length;
  if (n === 0) return [];
  const rng = new Mulberry32(fnv1a(seed));
  const rnd = () => rng.next();
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const sigma = 0.012 + 0.02 * rnd();
  const drift = (rnd() - 0.35) * 0.0015;
  const baseVolume = Math.exp(Math.log(20_000) + rnd() * (Math.log(3_000_000) - Math.log(20_000)));
  const floor = lastClose / 4;
  const ceiling = lastClose * 4;

  const closes = new Array<number>(n);
  closes[n - 1] = lastClose;
  for (let i = n - 2; i >= 0; i--) {
    const previous = closes[i + 1] / Math.exp(drift + sigma * normal());
    closes[i] = Math.min(ceiling, Math.max(floor, previous));
  }
  const tick = (x: number, round: (v: number) => number) => Math.max(tickSize, round(x / tickSize) * tickSize);
  const bars: DailyBar[] = [];
  for (let i = 0; i < n; i++) {
    const close = i === n - 1 ? lastClose : tick(closes[i], Math.round);
    const reference = i === 0 ? closes[0] : closes[i - 1];
    const open = tick(reference * Math.exp((sigma / 3) * normal()), Math.round);
    const high = tick(Math.max(open, close) * (1 + Math.abs(normal()) * sigma * 0.5), Math.ceil);
    const low = tick(Math.min(open, close) * (1 - Math.min(0.5, Math.abs(normal()) * sigma * 0.5)), Math.floor);
    const volume = Math.max(1, Math.round(baseVolume * Math.exp(0.5 * normal())));
    bars.push({ date: sessions[i], open, high: Math.max(high, open, close), low: Math.min(low, open, close), close, volume });
  }
  return bars;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

