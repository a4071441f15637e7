import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { connect } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import type { LoggerService } from '@nestjs/common';
import { FixAcceptor } from '../src/modules/exchange-sim/fix/fix-acceptor';
import { fixAcceptorListener } from '../src/modules/exchange-sim/fix/fix-listener';
import type { SimLogger } from '../src/modules/exchange-sim/simulator/message-outbox';
import type {
  CancelOrderRequest,
  ExecutionReport,
  NewOrderRequest,
  ReplaceOrderRequest,
  Venue,
  VenueMessage,
  VenueOrderStatus,
} from '../src/modules/exchange-sim/venue.types';
import { fixUtcTimestamp } from '../src/common/fix/fix-values';
import { FixTestClient, type WireMessage } from './support/fix-test-client';

/**
 * A deterministic stand-in for the simulator: a BUY LIMIT at or above ₹2500.00 fills at once, 40%
 * one tick better than its price and the rest at its price; anything else rests. Prices off the
 * 5-paise tick are rejected. Reports are emitted asynchronously, as a real venue would.
 */
class FakeVenue implements Venue {
  ready = true;
  static readonly tick = 5;
  static readonly crossesAt = 250_000;
  private readonly orders = new Map<string, ExecutionReport & { notional: number }>();
  private readonly listeners = new Map<string, Set<(m: VenueMessage) => void>>();
  private ids = 0;

  submit(r: NewOrderRequest): void {
    setImmediate(() => {
      const base = { kind: 'execution' as const, memberId: r.memberId, clOrdId: r.clOrdId, instrumentToken: r.instrumentToken, side: r.side };
      const order = {
        ...base,
        exchangeOrderId: `X${++this.ids}`,
        execId: '',
        execType: 'NEW' as const,
        orderStatus: 'NEW' as VenueOrderStatus,
        orderType: r.orderType,
        validity: r.validity,
        quantity: r.quantity,
        cumQuantity: 0,
        leavesQuantity: r.quantity,
        averagePrice: 0,
        price: r.price,
        triggerPrice: r.triggerPrice,
        transactTime: Date.now(),
        notional: 0,
      };
      const rejected = { orderStatus: 'REJECTED' as const, leavesQuantity: 0 };
      if (this.orders.has(`${r.memberId}/${r.clOrdId}`)) return this.report(order, 'REJECTED', { ...rejected, reasonCode: 'DUPLICATE_CLORDID', text: 'ClOrdID already used' });
      if (r.price !== undefined && r.price % FakeVenue.tick !== 0) {
        return this.report(order, 'REJECTED', { ...rejected, reasonCode: 'PRICE_NOT_MULTIPLE_OF_TICK', text: 'price is not a multiple of the tick' });
      }
      this.orders.set(`${r.memberId}/${r.clOrdId}`, order);
      this.report(order, 'NEW');
      if (r.side === 'BUY' && r.orderType === 'LIMIT' && (r.price ?? 0) >= FakeVenue.crossesAt) {
        const first = Math.floor(r.quantity * 0.4);
        if (first > 0) this.trade(r.memberId, r.clOrdId, first, (r.price ?? 0) - FakeVenue.tick);
        this.trade(r.memberId, r.clOrdId, r.quantity - first, r.price ?? 0);
      }
    });
  }

  /** A counterparty trades against a resting order. */
  trade(memberId: string, clOrdId: string, qty: number, price: number): void {
    const o = this.orders.get(`${memberId}/${clOrdId}`)!;
    o.cumQuantity += qty;
    o.leavesQuantity -= qty;
    o.notional += qty * price;
    o.averagePrice = halfEven(o.notional, o.cumQuantity);
    o.orderStatus = o.leavesQuantity === 0 ? 'FILLED' : 'PARTIALLY_FILLED';
    this.report(o, o.leavesQuantity === 0 ? 'FILL' : 'PARTIAL_FILL', { lastQuantity: qty, lastPrice: price, tradeId: `T${++this.ids}` });
  }

  cancel(r: CancelOrderRequest): void {
    setImmediate(() => this.amend(r, 'CANCEL', (o) => ((o.orderStatus = 'CANCELED'), (o.leavesQuantity = 0), 'CANCELED')));
  }

  replace(r: ReplaceOrderRequest): void {
    setImmediate(() =>
      this.amend(r, 'REPLACE', (o) => {
        o.price = r.price ?? o.price;
        o.quantity = r.quantity ?? o.quantity;
        o.leavesQuantity = o.quantity - o.cumQuantity;
        return 'REPLACED';
      }),
    );
  }

  status(memberId: string, clOrdId: string): ExecutionReport | null {
    const o = this.orders.get(`${memberId}/${clOrdId}`);
    return o ? { ...o, execType: 'ORDER_STATUS', execId: `S${++this.ids}`, transactTime: Date.now() } : null;
  }

  onMessage(memberId: string, listener: (m: VenueMessage) => void): () => void {
    const set = this.listeners.get(memberId) ?? new Set();
    this.listeners.set(memberId, set.add(listener));
    return () => set.delete(listener);
  }

  private amend(r: CancelOrderRequest, responseTo: 'CANCEL' | 'REPLACE', change: (o: ExecutionReport) => 'CANCELED' | 'REPLACED'): void {
    const o = this.orders.get(`${r.memberId}/${r.origClOrdId}`);
    const open = o && (o.orderStatus === 'NEW' || o.orderStatus === 'PARTIALLY_FILLED');
    if (!open) {
      const reasonCode = o ? 'TOO_LATE' : 'UNKNOWN_ORDER';
      const reject = { kind: 'cancel_reject' as const, ...r, responseTo, reasonCode, text: o ? 'order is closed' : 'no such order', transactTime: Date.now() };
      return this.emit({ ...reject, exchangeOrderId: o?.exchangeOrderId, orderStatus: o?.orderStatus });
    }
    const execType = change(o);
    o.clOrdId = r.clOrdId;
    o.origClOrdId = r.origClOrdId;
    this.orders.set(`${r.memberId}/${r.clOrdId}`, o);
    this.report(o, execType);
  }

  private report(o: ExecutionReport, execType: ExecutionReport['execType'], extra: Partial<ExecutionReport> = {}): void {
    const { notional: _, ...fields } = o as ExecutionReport & { notional?: number };
    this.emit({ ...fields, execType, execId: `E${++this.ids}`, transactTime: Date.now(), ...extra });
  }

  private emit(m: VenueMessage): void {
    this.listeners.get(m.memberId)?.forEach((l) => l(m));
  }
}

function halfEven(n: number, d: number): number {
  const q = Math.floor(n / d);
  const twice = 2 * (n - q * d);
  return twice > d || (twice === d && q % 2 === 1) ? q + 1 : q;
}

const RELIANCE = { Symbol: 'RELIANCE', SecurityID: '2885', SecurityIDSource: '8' };
const limitBuy = (clOrdId: string, price: string, qty: number): Record<string, unknown> => ({
  ClOrdID: clOrdId,
  Account: 'CLIENT1',
  Side: '1',
  OrdType: '2',
  TimeInForce: '0',
  Price: price,
  OrderQtyData: { OrderQty: qty },
  Instrument: RELIANCE,
});
const now = (): string => fixUtcTimestamp(Date.now());
const tags = (m: WireMessage, ...t: number[]): Array<string | undefined> => t.map((tag) => m.get(tag));

describe('FIX 4.4 acceptor (simulator order entry)', () => {
  let dir: string;
  let venue: FakeVenue;
  let acceptor: FixAcceptor;
  let port: number;
  let clients: FixTestClient[];
  let errors: string[];
  const logger: LoggerService = { log: () => undefined, warn: () => undefined, error: (m: string) => errors.push(m) };

  const startAcceptor = async (): Promise<void> => {
    acceptor = new FixAcceptor(venue, { port: 0, compId: 'MSTOCKSIM', storeDir: join(dir, 'acceptor'), allowedMembers: ['M1', 'M2'], logger });
    port = await acceptor.start();
  };
  const client = (member = 'M1', storeDir = join(dir, `client-${member}`), heartbeatSeconds = 5): FixTestClient => {
    const c = new FixTestClient({ port, senderCompId: member, targetCompId: 'MSTOCKSIM', storeDir, heartbeatSeconds });
    clients.push(c);
    return c;
  };
  const loggedOn = async (member = 'M1'): Promise<FixTestClient> => {
    const c = client(member);
    await c.connect(port);
    return c;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mstock-fix-'));
    venue = new FakeVenue();
    clients = [];
    errors = [];
    await startAcceptor();
  });

  afterEach(async () => {
    await Promise.all(clients.filter((c) => c.connected).map((c) => c.drop()));
    await acceptor.stop();
    rmSync(dir, { recursive: true, force: true });
    expect(errors).toEqual([]);
  });

  it('logs a member on with its HeartBtInt and answers a TestRequest with its TestReqID', async () => {
    const m1 = await loggedOn();
    const logon = m1.messages({ direction: 'in', msgType: 'A' })[0];
    expect(tags(logon, 49, 56, 108, 34)).toEqual(['MSTOCKSIM', 'M1', '5', '1']);
    m1.sendAdmin('1', { TestReqID: 'are-you-there' });
    const heartbeat = await m1.waitFor((m) => m.direction === 'in' && m.msgType === '0');
    expect(heartbeat.get(112)).toBe('are-you-there');
  });

  it('heartbeats an idle member at the HeartBtInt the member asked for', async () => {
    const m2 = client('M2', join(dir, 'client-M2'), 1);
    await m2.connect(port);
    expect(m2.messages({ direction: 'in', msgType: 'A' })[0].get(108)).toBe('1');
    const loggedOnAt = Date.now();
    await m2.waitFor((m) => m.direction === 'in' && m.msgType === '0', 3_000);
    expect(Date.now() - loggedOnAt).toBeGreaterThanOrEqual(800);
  });

  it('ends a connection whose first message is not a Logon, without a reply', async () => {
    const socket = connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    await new Promise((r) => socket.once('connect', r));
    socket.write('8=FIX.4.4\x019=0000050\x0135=D\x0149=M1\x0156=MSTOCKSIM\x0134=1\x0152=20260101-00:00:00.000\x0110=000\x01');
    await new Promise((r) => socket.once('close', r));
    expect(received).toEqual([]);
  });

  it('honours a SequenceReset (reset mode) and a graceful Logout', async () => {
    const m1 = await loggedOn();
    const next = m1.messages({ direction: 'out' }).at(-1)!.seq + 1;
    m1.sendAdmin('4', { GapFillFlag: false, NewSeqNo: next + 10 });
    m1.skipOutgoingSeqNums(9);
    m1.newOrder(limitBuy('after-reset', '2400.00', 1));
    const [ack] = await m1.reports('after-reset', 1);
    expect(m1.messages({ direction: 'out', msgType: 'D' }).at(-1)!.seq).toBe(next + 10);
    expect(ack.get(150)).toBe('0');
    expect(m1.messages({ direction: 'in', msgType: '2' })).toEqual([]);
    await m1.disconnect();
    expect(m1.messages({ direction: 'in', msgType: '5' })).toHaveLength(1);
    await waitUntil(() => acceptor.onlineMembers().length === 0);
  });

  it('reports New, a partial fill and the fill with CumQty, LeavesQty and exact AvgPx', async () => {
    const m1 = await loggedOn();
    m1.newOrder(limitBuy('buy-1', '2500.05', 10));
    const [ack, partial, fill] = await m1.reports('buy-1', 3);
    expect(tags(ack, 35, 150, 39, 11, 38, 44, 14, 151, 6, 48, 22, 55, 59)).toEqual(['8', '0', '0', 'buy-1', '10', '2500.05', '0', '10', '0.00', '2885', '8', 'RELIANCE', '0']);
    expect(tags(partial, 150, 39, 32, 31, 14, 151, 6)).toEqual(['F', '1', '4', '2500.00', '4', '6', '2500.00']);
    // (4 × 2500.00 + 6 × 2500.05) / 10 = 2500.03 (rounded half-even in paise)
    expect(tags(fill, 150, 39, 32, 31, 14, 151, 6)).toEqual(['F', '2', '6', '2500.05', '10', '0', '2500.03']);
    expect(partial.get(527)).toMatch(/^T\d+$/);
    expect(fill.get(527)).not.toBe(partial.get(527));
    expect(new Set([ack, partial, fill].map((m) => m.get(37)))).toEqual(new Set([ack.get(37)]));
    expect(new Set([ack, partial, fill].map((m) => m.get(17))).size).toBe(3);
  });

  it('rejects an order off the tick with OrdRejReason and the venue code in Text', async () => {
    const m1 = await loggedOn();
    m1.newOrder(limitBuy('odd-tick', '2500.03', 10));
    const [reject] = await m1.reports('odd-tick', 1);
    expect(tags(reject, 150, 39, 103, 14, 151)).toEqual(['8', '8', '99', '0', '0']);
    expect(reject.get(58)).toMatch(/^PRICE_NOT_MULTIPLE_OF_TICK: /);
  });

  it('cancels and replaces a resting order and answers status requests', async () => {
    const m1 = await loggedOn();
    m1.newOrder({ ...limitBuy('rest-1', '2400.00', 10), MaxFloor: 5 });
    await m1.reports('rest-1', 1);
    m1.send('G', { ClOrdID: 'rest-2', OrigClOrdID: 'rest-1', Side: '1', OrdType: '2', Price: '2410.50', OrderQtyData: { OrderQty: 20 }, Instrument: RELIANCE, TransactTime: now() });
    const [replaced] = await m1.reports('rest-2', 1);
    expect(tags(replaced, 150, 39, 11, 41, 44, 38, 151)).toEqual(['5', '0', 'rest-2', 'rest-1', '2410.50', '20', '20']);

    m1.send('H', { ClOrdID: 'rest-2', Side: '1', Instrument: RELIANCE });
    const [, status] = await m1.reports('rest-2', 2);
    expect(tags(status, 150, 39, 44, 151, 37)).toEqual(['I', '0', '2410.50', '20', replaced.get(37)]);

    m1.send('F', { ClOrdID: 'rest-3', OrigClOrdID: 'rest-2', Side: '1', OrderQtyData: { OrderQty: 20 }, Instrument: RELIANCE, TransactTime: now() });
    const [canceled] = await m1.reports('rest-3', 1);
    expect(tags(canceled, 150, 39, 41, 151)).toEqual(['4', '4', 'rest-2', '0']);

    m1.send('F', { ClOrdID: 'rest-4', OrigClOrdID: 'rest-3', Side: '1', OrderQtyData: { OrderQty: 20 }, Instrument: RELIANCE, TransactTime: now() });
    const [tooLate] = await m1.reports('rest-4', 1);
    expect(tags(tooLate, 35, 434, 102, 39, 41)).toEqual(['9', '1', '0', '4', 'rest-3']);
  });

  it('answers requests about unknown orders: OrderCancelReject and an Order Status of Rejected', async () => {
    const m1 = await loggedOn();
    m1.send('F', { ClOrdID: 'c-x', OrigClOrdID: 'nope', Side: '1', OrderQtyData: { OrderQty: 1 }, Instrument: RELIANCE, TransactTime: now() });
    const [cxlReject] = await m1.reports('c-x', 1);
    expect(tags(cxlReject, 35, 434, 102, 37, 39, 41)).toEqual(['9', '1', '1', 'NONE', '8', 'nope']);
    m1.send('G', { ClOrdID: 'r-x', OrigClOrdID: 'nope', Side: '1', OrdType: '2', Price: '1.00', OrderQtyData: { OrderQty: 1 }, Instrument: RELIANCE, TransactTime: now() });
    const [rplReject] = await m1.reports('r-x', 1);
    expect(tags(rplReject, 35, 434, 102)).toEqual(['9', '2', '1']);
    m1.send('H', { ClOrdID: 'nope', Side: '1', Instrument: RELIANCE });
    const [status] = await m1.reports('nope', 1);
    expect(tags(status, 35, 150, 39, 37, 58, 48)).toEqual(['8', 'I', '8', 'NONE', 'Unknown order', '2885']);
  });

  it('refuses malformed application messages with Reject (3) or BusinessMessageReject (j) and keeps the session', async () => {
    const m1 = await loggedOn();
    const { OrderQtyData: _, ...noQty } = limitBuy('bad-1', '2500.00', 1);
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [noQty, '38', '1'],
      [{ ...limitBuy('bad-2', '2500.00', 1), Side: '7' }, '54', '5'],
      [{ ...limitBuy('bad-3', '2500.00', 1), Price: '2500.001' }, '44', '5'],
      [{ ...limitBuy('bad-4', '2500.00', 1), Price: '25OO' }, '44', '6'],
      [{ ...limitBuy('bad-5', '2500.00', 1), TimeInForce: '1' }, '59', '5'],
      [{ ...limitBuy('bad-6', '2500.00', 1), Instrument: { Symbol: 'RELIANCE', SecurityID: 'INE002A01018', SecurityIDSource: '4' } }, '22', '5'],
      [{ ...limitBuy('bad-7', '0', 1), OrdType: '4' }, '44', '5'],
    ];
    for (const [order, refTag, reason] of cases) {
      const from = m1.wire.length;
      m1.newOrder(order);
      const sent = m1.messages({ direction: 'out', msgType: 'D' }).at(-1)!;
      const reject = await m1.waitFor((m) => m.direction === 'in' && m.msgType === '3', 5_000, from);
      expect(tags(reject, 45, 371, 372, 373)).toEqual([String(sent.seq), refTag, 'D', reason]);
    }
    // Side is required by the FIX 4.4 dictionary itself: jspurefix's own check answers.
    const { Side: __, ...noSide } = limitBuy('bad-8', '2500.00', 1);
    let from = m1.wire.length;
    m1.newOrder(noSide);
    const dictionaryReject = await m1.waitFor((m) => m.direction === 'in' && m.msgType === '3', 5_000, from);
    expect(tags(dictionaryReject, 372, 373, 58)).toEqual(['D', '1', 'msgType D missing required tag 54']);

    from = m1.wire.length;
    m1.send('q', { ClOrdID: 'mass-1', MassCancelRequestType: '7', TransactTime: now() });
    const unsupported = await m1.waitFor((m) => m.direction === 'in' && m.msgType === 'j', 5_000, from);
    expect(tags(unsupported, 372, 380)).toEqual(['q', '3']);

    venue.ready = false;
    m1.newOrder(limitBuy('closed-1', '2400.00', 1));
    const unavailable = await m1.waitFor((m) => m.direction === 'in' && m.msgType === 'j' && m.get(379) === 'closed-1');
    expect(unavailable.get(380)).toBe('4');
    venue.ready = true;

    m1.newOrder(limitBuy('good-1', '2400.00', 1));
    expect((await m1.reports('good-1', 1))[0].get(150)).toBe('0');
    expect(m1.connected).toBe(true);
    expect(m1.messages({ direction: 'in' }).filter((m) => m.msgType === '8' && m.get(11)?.startsWith('bad'))).toEqual([]);
  });

  it('refuses a Logon from a member not on the list, with a Logout saying why', async () => {
    await expect(client('INTRUDER').connect(port)).rejects.toThrow(/not a member/);
    expect(existsSync(join(dir, 'acceptor', 'FIX.4.4-MSTOCKSIM-INTRUDER.seqnums.json'))).toBe(false);
  });

  it('serves several members at once, each seeing only its own reports', async () => {
    const [m1, m2] = await Promise.all([loggedOn('M1'), loggedOn('M2')]);
    m1.newOrder(limitBuy('same-id', '2400.00', 1));
    m2.newOrder(limitBuy('same-id', '2400.00', 2));
    const [a] = await m1.reports('same-id', 1);
    const [b] = await m2.reports('same-id', 1);
    expect([a.get(56), a.get(38), b.get(56), b.get(38)]).toEqual(['M1', '1', 'M2', '2']);
    expect(a.get(37)).not.toBe(b.get(37));
  });

  it('resends what the venue reported while the member was away, after its ResendRequest, with PossDupFlag=Y', async () => {
    const m1 = await loggedOn();
    m1.newOrder(limitBuy('resting', '2400.00', 10));
    await m1.reports('resting', 1);
    await m1.drop();
    await waitUntil(() => acceptor.onlineMembers().length === 0);

    venue.trade('M1', 'resting', 3, 240_000);
    venue.trade('M1', 'resting', 7, 239_995);
    const missedFrom = m1.wire.length;
    await m1.connect(port);

    const resendRequest = await m1.waitFor((m) => m.direction === 'out' && m.msgType === '2', 5_000, missedFrom);
    const replayed = await m1.reports('resting', 3);
    const [partial, fill] = replayed.slice(1);
    expect([partial.possDup, fill.possDup]).toEqual([true, true]);
    expect(tags(partial, 150, 39, 32, 31, 14)).toEqual(['F', '1', '3', '2400.00', '3']);
    // (3 × 2400.00 + 7 × 2399.95) / 10 = 2399.965 → 2399.96, half-even in paise
    expect(tags(fill, 150, 39, 32, 31, 14, 6)).toEqual(['F', '2', '7', '2399.95', '10', '2399.96']);
    expect(fill.get(122)).toBeDefined(); // OrigSendingTime on retransmissions
    expect(partial.seq).toBeGreaterThanOrEqual(Number(resendRequest.get(7)));

    // Back in step: new reports flow live, and no further ResendRequest is needed.
    m1.newOrder(limitBuy('after', '2400.00', 1));
    const [live] = await m1.reports('after', 1);
    expect(live.possDup).toBe(false);
    expect(m1.messages({ direction: 'out', msgType: '2' })).toHaveLength(1);
  });

  it('continues sequence numbers in both directions across an acceptor restart, and resends from disk', async () => {
    const m1 = await loggedOn();
    m1.newOrder(limitBuy('resting', '2400.00', 5));
    await m1.reports('resting', 1);
    await m1.disconnect();
    const lastIn = Math.max(...m1.messages({ direction: 'in' }).map((m) => m.seq));
    const lastOut = Math.max(...m1.messages({ direction: 'out' }).map((m) => m.seq));
    expect(m1.messages({ direction: 'in', msgType: '5' })).toHaveLength(1);
    venue.trade('M1', 'resting', 5, 240_000); // while the member is away: stamped lastIn + 1, stored
    await acceptor.stop();
    const state = JSON.parse(readFileSync(join(dir, 'acceptor', 'FIX.4.4-MSTOCKSIM-M1.seqnums.json'), 'utf8')) as { sender: number; target: number };
    expect(state).toMatchObject({ sender: lastIn + 2, target: lastOut + 1 });

    await startAcceptor();
    const from = m1.wire.length;
    await m1.connect(port);
    const [logonOut] = m1.messages({ direction: 'out', msgType: 'A' }).slice(-1);
    const [logonIn] = m1.messages({ direction: 'in', msgType: 'A' }).slice(-1);
    expect([logonOut.seq, logonIn.seq]).toEqual([lastOut + 1, lastIn + 2]);
    const [, fill] = await m1.reports('resting', 2);
    expect([fill.seq, fill.possDup, fill.get(39), fill.get(31)]).toEqual([lastIn + 1, true, '2', '2400.00']);
    m1.newOrder(limitBuy('after-restart', '2400.00', 1));
    expect((await m1.reports('after-restart', 1))[0].seq).toBe(lastIn + 3);
    const recovery = m1.wire.slice(from).filter((m) => m.msgType === '2' || m.msgType === '4');
    // One ResendRequest from the member; the acceptor's Logon itself comes back as a gap fill.
    expect(recovery.map((m) => [m.direction, m.msgType, m.get(7) ?? m.get(36)])).toEqual([
      ['out', '2', String(lastIn + 1)],
      ['in', '4', String(lastIn + 3)],
    ]);
  });

  it('asks for a resend when a member skips sequence numbers, and acts on the order once', async () => {
    const m1 = await loggedOn();
    const expected = m1.messages({ direction: 'out' }).at(-1)!.seq + 1;
    m1.skipOutgoingSeqNums(3);
    m1.newOrder(limitBuy('after-gap', '2400.00', 1));
    const resendRequest = await m1.waitFor((m) => m.direction === 'in' && m.msgType === '2');
    expect(tags(resendRequest, 7, 16)).toEqual([String(expected), '0']);
    const gapFill = await m1.waitFor((m) => m.direction === 'out' && m.msgType === '4');
    expect(tags(gapFill, 34, 123, 36, 43)).toEqual([String(expected), 'Y', String(expected + 3), 'Y']);
    await m1.waitFor((m) => m.direction === 'out' && m.msgType === 'D' && m.possDup);

    m1.newOrder(limitBuy('next', '2400.00', 1));
    await m1.reports('next', 1);
    expect(await m1.reports('after-gap', 1)).toHaveLength(1); // the retransmitted D was not re-submitted
    expect(m1.messages({ direction: 'in', msgType: '2' })).toHaveLength(1);
    expect(m1.connected).toBe(true);
  });

  it('reports a port already in use from start() instead of crashing the process', async () => {
    const second = new FixAcceptor(venue, { port, compId: 'MSTOCKSIM', storeDir: join(dir, 'second'), logger });
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
    await second.stop();
  });

  it('logs connected members out when it stops', async () => {
    const m1 = await loggedOn();
    const stopping = Date.now();
    await acceptor.stop();
    expect(Date.now() - stopping).toBeLessThan(2_000);
    await m1.waitFor((m) => m.direction === 'in' && m.msgType === '5' && m.get(58) === 'venue shutting down');
    await waitUntil(() => !m1.connected);
  });

  it('plugs into the simulator runtime: Symbol from its instruments, store under <dataDir>/fix', async () => {
    const target = Object.assign(venue, { symbolOf: () => 'RELIANCE-EQ', onQuotes: () => () => undefined, snapshot: () => undefined, snapshots: () => [] });
    const listener = fixAcceptorListener({ target, port: 0, host: '127.0.0.1', compId: 'SIMX', dataDir: join(dir, 'data'), log: logger as SimLogger });
    const simPort = (await listener.start()) as number;
    try {
      const m1 = new FixTestClient({ port: simPort, senderCompId: 'M1', targetCompId: 'SIMX', storeDir: join(dir, 'client-sim') });
      clients.push(m1);
      await m1.connect();
      m1.newOrder(limitBuy('sym', '2400.00', 1));
      expect((await m1.reports('sym', 1))[0].get(55)).toBe('RELIANCE-EQ');
    } finally {
      await listener.stop();
    }
    expect(existsSync(join(dir, 'data', 'fix', 'FIX.4.4-SIMX-M1.seqnums.json'))).toBe(true);
  });

  it('logs out a member whose MsgSeqNum went backwards, saying so', async () => {
    const m1 = await loggedOn();
    m1.newOrder(limitBuy('x', '2400.00', 1));
    await m1.reports('x', 1);
    await m1.disconnect();
    const amnesiac = client('M1', join(dir, 'fresh-store'));
    await expect(amnesiac.connect(port)).rejects.toThrow(/MsgSeqNum too low, expecting 4 but received 1/);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
