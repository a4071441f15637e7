import type { TickMode } from '../../../sdk/protocol';
import type { Quote } from '../../market-data/market-data.events';
import { FrameCodec, FrameWriter, Fragment, Member, TickFanout, WireProtocol } from './tick-fanout';

const INFY = 408065;
const TCS = 2953217;
const SBIN = 779521;

function quote(token: number, lastPrice: number, timestamp = Date.now()): Quote {
  return {
    instrumentToken: token, exchange: 'NSE', tradingsymbol: `T${token}`, lastPrice, lastQuantity: 1, lastTradeTime: timestamp,
    volume: 10, averagePrice: lastPrice, open: lastPrice, high: lastPrice, low: lastPrice, close: lastPrice, change: 0, changePercent: 0,
    lowerCircuit: 0, upperCircuit: 0, totalBuyQuantity: 0, totalSellQuantity: 0, bids: [], asks: [], timestamp, stale: false,
  };
}

class FakeWriter implements FrameWriter {
  frames: { ticks: Fragment[]; depth: Fragment[] }[] = [];
  writable = true;
  buffered = 0;
  dropped = 0;
  constructor(readonly protocol: WireProtocol = 'socketio') {}
  canWrite() { return this.writable; }
  bufferedBytes() { return this.buffered; }
  write(ticks: Fragment[], depth: Fragment[]) { this.frames.push({ ticks, depth }); return depth.length ? 2 : 1; }
  drop() { this.dropped++; }
  get items() { return this.frames.map((f) => f.ticks.map(String)); }
}

describe('TickFanout', () => {
  let encodes: { token: number; mode: TickMode }[];
  let fanout: TickFanout;
  const codec: FrameCodec = {
    tick: (q, mode) => {
      encodes.push({ token: q.instrumentToken, mode });
      return `${q.instrumentToken}:${mode}:${q.lastPrice}`;
    },
    depth: (q, mode) => (mode === 'full' ? `depth:${q.instrumentToken}` : null),
  };

  beforeEach(() => {
    encodes = [];
    fanout = new TickFanout({ flushMs: 100, maxSubscriptions: 3, sendBufferLimitBytes: 1000, codecs: { socketio: codec, kite: codec } });
  });
  afterEach(() => fanout.close());

  const publish = (...quotes: Quote[]) => fanout.publish({ quotes, publishedAt: Date.now() });

  it('sends each member one frame with only the instruments it watches, latest price winning', () => {
    const a = new FakeWriter();
    const b = new FakeWriter();
    const ma = new Member(a);
    const mb = new Member(b);
    fanout.subscribe(ma, [INFY, TCS], 'ltp');
    fanout.subscribe(mb, [TCS], 'ltp');
    publish(quote(INFY, 100), quote(TCS, 200), quote(SBIN, 300));
    publish(quote(INFY, 101));
    fanout.flush();
    expect(a.items).toEqual([[`${INFY}:ltp:101`, `${TCS}:ltp:200`]]);
    expect(b.items).toEqual([[`${TCS}:ltp:200`]]);
  });

  it('encodes a changed instrument once per room, however many members are in it', () => {
    const members = Array.from({ length: 50 }, () => new Member(new FakeWriter()));
    for (const m of members) fanout.subscribe(m, [INFY], 'quote');
    fanout.subscribe(new Member(new FakeWriter()), [INFY], 'full');
    fanout.subscribe(new Member(new FakeWriter('kite')), [INFY], 'quote');
    publish(quote(INFY, 100));
    fanout.flush();
    expect(encodes).toHaveLength(3);
    expect(encodes.map((e) => e.mode).sort()).toEqual(['full', 'quote', 'quote']);
  });

  it('sends depth alongside ticks for full mode and switches modes in place', () => {
    const w = new FakeWriter();
    const m = new Member(w);
    fanout.subscribe(m, [INFY], 'full');
    publish(quote(INFY, 100));
    fanout.flush();
    expect(w.frames[0]).toEqual({ ticks: [`${INFY}:full:100`], depth: [`depth:${INFY}`] });
    expect(fanout.subscribe(m, [INFY], 'ltp')).toEqual({ accepted: [INFY], overLimit: [] });
    expect(fanout.subscriptions).toBe(1);
    publish(quote(INFY, 101));
    fanout.flush();
    expect(w.frames[1]).toEqual({ ticks: [`${INFY}:ltp:101`], depth: [] });
  });

  it('sends nothing after unsubscribe and forgets empty rooms', () => {
    const w = new FakeWriter();
    const m = new Member(w);
    fanout.subscribe(m, [INFY, TCS], 'ltp');
    publish(quote(INFY, 100));
    expect(fanout.unsubscribe(m, [INFY, SBIN])).toEqual([INFY]);
    fanout.flush();
    expect(w.frames).toHaveLength(0);
    expect(fanout.subscriptions).toBe(1);
    fanout.leave(m);
    expect(fanout.subscriptions).toBe(0);
  });

  it('caps subscriptions per member', () => {
    const m = new Member(new FakeWriter());
    expect(fanout.subscribe(m, [1, 2, 3, 4, 5], 'ltp')).toEqual({ accepted: [1, 2, 3], overLimit: [4, 5] });
    // A mode change of a held instrument is not a new subscription.
    expect(fanout.subscribe(m, [3, 6], 'full')).toEqual({ accepted: [3], overLimit: [6] });
  });

  it('conflates for a member that cannot write yet, then sends the newest value once it can', () => {
    const w = new FakeWriter();
    const m = new Member(w);
    fanout.subscribe(m, [INFY, TCS], 'ltp');
    w.writable = false;
    publish(quote(INFY, 100));
    fanout.flush();
    publish(quote(INFY, 101), quote(TCS, 200));
    fanout.flush();
    expect(w.frames).toHaveLength(0);
    w.writable = true;
    fanout.flush();
    expect(w.items).toEqual([[`${INFY}:ltp:101`, `${TCS}:ltp:200`]]);
  });

  it('drops a member whose send buffer passed the limit', () => {
    const w = new FakeWriter();
    const m = new Member(w);
    fanout.subscribe(m, [INFY], 'ltp');
    w.writable = false;
    w.buffered = 5000;
    publish(quote(INFY, 100));
    fanout.flush();
    expect(w.dropped).toBe(1);
    expect(m.left).toBe(true);
    expect(fanout.subscriptions).toBe(0);
  });

  it('flushes the first batch at once and holds later ones to the window (leading-edge throttle)', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const w = new FakeWriter();
      fanout.subscribe(new Member(w), [INFY], 'ltp');
      publish(quote(INFY, 100));
      jest.advanceTimersByTime(0);
      expect(w.items).toEqual([[`${INFY}:ltp:100`]]);
      jest.advanceTimersByTime(30);
      publish(quote(INFY, 101));
      publish(quote(INFY, 102));
      jest.advanceTimersByTime(60);
      expect(w.frames).toHaveLength(1);
      jest.advanceTimersByTime(10);
      expect(w.items[1]).toEqual([`${INFY}:ltp:102`]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not fall behind batches that arrive about once per window, even after a late one', () => {
    jest.useFakeTimers({ now: 2_000_000 });
    const paced = new TickFanout({ flushMs: 50, maxSubscriptions: 3, sendBufferLimitBytes: 1000, codecs: { socketio: codec, kite: codec } });
    try {
      const w = new FakeWriter();
      paced.subscribe(new Member(w), [INFY], 'ltp');
      const batchAt = (ms: number, price: number) => {
        jest.advanceTimersByTime(ms);
        paced.publish({ quotes: [quote(INFY, price)], publishedAt: Date.now() });
        jest.advanceTimersByTime(0);
      };
      batchAt(0, 100);
      batchAt(130, 101); // 30 ms late
      batchAt(70, 102); // back on the 100 ms grid
      batchAt(100, 103);
      expect(w.items).toEqual([[`${INFY}:ltp:100`], [`${INFY}:ltp:101`], [`${INFY}:ltp:102`], [`${INFY}:ltp:103`]]);
    } finally {
      paced.close();
      jest.useRealTimers();
    }
  });

  it('keeps the latest quote of every instrument for snapshots, watched or not', () => {
    publish(quote(SBIN, 300), quote(SBIN, 301));
    expect(fanout.quote(SBIN)?.lastPrice).toBe(301);
  });
});
