import { InstrumentBook } from './book';
import type { Order } from './order';
import type { SessionState } from './types';

/**
 * Canonical serialisation of the engine state: everything that can influence a future
 * event (books in priority order with every order field, stop books, pre-open queues,
 * LTP, volume, counters, session). Pool contents and map insertion order are excluded
 * because they cannot change behaviour.
 */
export function canonicalState(
  session: SessionState,
  seq: number,
  tradeSeq: number,
  liveOrders: number,
  books: readonly InstrumentBook[],
): string {
  const parts: string[] = [`S:${session};seq:${seq};trade:${tradeSeq};live:${liveOrders}`];
  for (const b of books) {
    const s = b.spec;
    parts.push(
      `I:${b.id};tick:${s.tickSize};band:${s.lowerCircuit}-${s.upperCircuit};frz:${s.freezeQty};lot:${s.lotSize};` +
        `ref:${s.referencePrice};susp:${b.suspended ? 1 : 0};ltp:${b.ltp};vol:${b.volume}`,
    );
    section(parts, 'B', InstrumentBook.ordersOf(b.bids));
    section(parts, 'A', InstrumentBook.ordersOf(b.asks));
    section(parts, 'BS', InstrumentBook.ordersOf(b.buyStops));
    section(parts, 'SS', InstrumentBook.ordersOf(b.sellStops));
    section(parts, 'MB', InstrumentBook.ordersOfQueue(b.marketBuys));
    section(parts, 'MS', InstrumentBook.ordersOfQueue(b.marketSells));
  }
  return parts.join('\n');
}

function section(parts: string[], tag: string, orders: Order[]): void {
  parts.push(`${tag}:${orders.length}`);
  for (const o of orders) {
    parts.push(
      `${o.id},${o.clientId},${o.isBuy ? 'B' : 'S'},${o.kind},${o.ioc ? 1 : 0},${o.price},${o.trigger},` +
        `${o.qty},${o.filled},${o.visible},${o.disclosed},${o.seq}`,
    );
  }
}

/**
 * 64-bit FNV-1a over UTF-16 code units, in two 32-bit halves so it stays in plain
 * numbers. prime = 2^40 + 0x1b3, hence h * prime = h * 0x1b3 + (lo << 40).
 */
export function fnv1a64(text: string): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    lo ^= text.charCodeAt(i);
    const a = (lo >>> 0) * 0x1b3;
    const carry = Math.floor(a / 0x100000000);
    hi = (Math.imul(hi, 0x1b3) + (lo << 8) + carry) >>> 0;
    lo = a >>> 0;
  }
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}
