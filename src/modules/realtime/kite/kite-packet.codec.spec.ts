import { KiteTicker } from 'kiteconnect';
import type { Quote } from '../../market-data/market-data.events';
import { encodeKitePacket, kiteFrame, PACKET_BYTES } from './kite-packet.codec';

const ts = Date.UTC(2026, 0, 5, 4, 0, 7); // a whole second plus 0 ms
const q: Quote = {
  instrumentToken: 408065, exchange: 'NSE', tradingsymbol: 'INFY', lastPrice: 145_055, lastQuantity: 25, lastTradeTime: ts - 1000,
  volume: 1_234_567, averagePrice: 144_990, open: 144_000, high: 146_000, low: 143_500, close: 144_500, change: 555, changePercent: 0.38,
  lowerCircuit: 130_050, upperCircuit: 158_950, totalBuyQuantity: 50_000, totalSellQuantity: 40_000,
  bids: [1, 2, 3, 4, 5].map((i) => ({ price: 145_050 - i * 5, quantity: 100 * i, orders: i })),
  asks: [1, 2, 3, 4, 5].map((i) => ({ price: 145_055 + i * 5, quantity: 110 * i, orders: i + 1 })),
  timestamp: ts, stale: false,
};

/** The official client's parser is the reference: whatever it reads is what Kite users get. */
type Parser = { parseBinary(frame: ArrayBuffer): Record<string, unknown>[] };
const ticker = new KiteTicker({ api_key: 'k', access_token: 't', reconnect: false }) as unknown as Parser;
const parse = (frame: Buffer) => ticker.parseBinary(frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.length) as ArrayBuffer);

describe('Kite binary packets, read back by the official KiteTicker parser', () => {
  it('has the sizes Kite uses', () => {
    expect(encodeKitePacket(q, 'ltp')).toHaveLength(PACKET_BYTES.ltp);
    expect(encodeKitePacket(q, 'quote')).toHaveLength(44);
    expect(encodeKitePacket(q, 'full')).toHaveLength(184);
  });

  it('round-trips ltp, quote and full packets in one frame', () => {
    const other = { ...q, instrumentToken: 500_325 * 256 + 4, lastPrice: 250_010 };
    const ticks = parse(kiteFrame([encodeKitePacket(q, 'ltp'), encodeKitePacket(other, 'quote'), encodeKitePacket(q, 'full')]));
    expect(ticks).toHaveLength(3);
    expect(ticks[0]).toEqual({ tradable: true, mode: 'ltp', instrument_token: 408065, last_price: 1450.55 });
    expect(ticks[1]).toMatchObject({
      mode: 'quote', instrument_token: 500_325 * 256 + 4, last_price: 2500.1, last_traded_quantity: 25, average_traded_price: 1449.9,
      volume_traded: 1_234_567, total_buy_quantity: 50_000, total_sell_quantity: 40_000,
      ohlc: { open: 1440, high: 1460, low: 1435, close: 1445 },
    });
    expect(ticks[2]).toMatchObject({
      mode: 'full', last_price: 1450.55, last_trade_time: new Date(ts - 1000), exchange_timestamp: new Date(ts), oi: 0,
    });
    const depth = ticks[2].depth as { buy: object[]; sell: object[] };
    expect(depth.buy[0]).toEqual({ price: 1450.45, quantity: 100, orders: 1 });
    expect(depth.sell[4]).toEqual({ price: 1450.8, quantity: 550, orders: 6 });
    expect((ticks[2].change as number).toFixed(4)).toBe(((1450.55 - 1445) * 100 / 1445).toFixed(4));
  });

  it('clamps values Kite cannot carry instead of wrapping them negative', () => {
    const [t] = parse(kiteFrame([encodeKitePacket({ ...q, volume: 3_000_000_000 }, 'quote')]));
    expect(t.volume_traded).toBe(0x7fffffff);
  });
});
