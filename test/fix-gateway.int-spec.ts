import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import type { LoggerService } from '@nestjs/common';
import type { CancelReject, ExecutionReport, Venue, VenueMessage } from '../src/common/exchange-protocol/venue.types';
import { CircuitBreaker } from '../src/modules/exchange/circuit-breaker';
import { ExchangeUnavailableError, type OutboundOrder } from '../src/modules/exchange/exchange-gateway';
import { FixGateway, type FixGatewayOptions } from '../src/modules/exchange/fix-gateway';
import { FixAcceptor } from '../src/modules/exchange-sim/fix/fix-acceptor';
import type { ExchangeSimulator } from '../src/modules/exchange-sim/simulator/exchange-simulator';
import { ACME, order as simOrder, simulator } from '../src/modules/exchange-sim/simulator/testing/sim-fixtures';

/**
 * The broker's FIX initiator against the real simulator behind the real FIX acceptor, on loopback.
 * Counterparty orders go straight into the simulator as another member (M2).
 */

/** A venue whose new orders can be made to vanish (a venue that takes orders but never answers). */
class SilentVenue implements Venue {
  silent = false;
  constructor(private readonly inner: ExchangeSimulator) {}
  get ready(): boolean {
    return this.inner.ready;
  }
  submit: Venue['submit'] = (r) => (this.silent ? undefined : this.inner.submit(r));
  replace: Venue['replace'] = (r) => this.inner.replace(r);
  cancel: Venue['cancel'] = (r) => this.inner.cancel(r);
  status: Venue['status'] = (m, c) => this.inner.status(m, c);
  onMessage: Venue['onMessage'] = (m, l) => this.inner.onMessage(m, l);
}

/** A loopback TCP relay that can be cut (both sides dropped, port closed) and restored. */
class Relay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: () => number) {}
  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect({ host: '127.0.0.1', port: this.target() });
      for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
        this.sockets.add(a);
        a.on('error', () => undefined);
        a.on('close', () => (b.destroy(), this.sockets.delete(a)));
        a.pipe(b);
      }
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.sockets.forEach((s) => s.destroy());
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

describe('FixGateway (FIX 4.4 initiator) against the simulator acceptor', () => {
  let dir: string;
  let sim: ExchangeSimulator;
  let venue: SilentVenue;
  let acceptor: FixAcceptor;
  let acceptorPort: number;
  let gateway: FixGateway;
  let inbox: VenueMessage[];
  let connects: number;
  let errors: string[];
  let warnings: string[];
  const logger: LoggerService = { log: () => undefined, warn: (m: string) => warnings.push(m), error: (m: string) => errors.push(m) };
  const breaker = (failureThreshold = 5, openMs = 10_000) => new CircuitBreaker({ failureThreshold, openMs, now: () => Date.now() });

  const startAcceptor = async (port = 0): Promise<void> => {
    const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
    acceptor = new FixAcceptor(venue, { port, compId: 'NSESIM', storeDir: join(dir, 'acceptor'), allowedMembers: ['MSTOCK'], logger: quiet });
    acceptorPort = await acceptor.start();
  };
  const startGateway = async (options: Partial<FixGatewayOptions> = {}, b = breaker()): Promise<FixGateway> => {
    const g = new FixGateway(
      { host: '127.0.0.1', port: acceptorPort, senderCompId: 'MSTOCK', targetCompId: 'NSESIM', heartbeatSeconds: 5, storeDir: join(dir, 'initiator'), reconnect: { initialMs: 50, maxMs: 400 }, logger, ...options },
      b,
    );
    g.onMessage((m) => void inbox.push(m));
    g.onConnected(() => void connects++);
    gateway = g;
    g.start();
    await until(() => g.isAvailable(), options.senderCompId === 'STRANGER' ? 0 : 5_000);
    return g;
  };
  const reports = (clOrdId: string) => inbox.filter((m): m is ExecutionReport => m.kind === 'execution' && m.clOrdId === clOrdId);
  const report = async (clOrdId: string, execType: ExecutionReport['execType']): Promise<ExecutionReport> => {
    await until(() => reports(clOrdId).some((r) => r.execType === execType));
    return reports(clOrdId).find((r) => r.execType === execType)!;
  };
  const buy = (clOrdId: string, price: number, quantity = 10): OutboundOrder => ({
    clOrdId, clientAccount: 'CL1', instrumentToken: ACME.instrumentToken, side: 'BUY', orderType: 'LIMIT', validity: 'DAY', quantity, price,
  });
  const counterparty = (price: number, quantity: number) => sim.submit(simOrder({ memberId: 'M2', side: 'SELL', price, quantity }));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mstock-fixgw-'));
    sim = simulator().sim;
    sim.setSession('CONTINUOUS');
    sim.start();
    venue = new SilentVenue(sim);
    inbox = [];
    connects = 0;
    errors = [];
    warnings = [];
    await startAcceptor();
  });

  afterEach(async () => {
    await gateway?.stop();
    await acceptor.stop();
    sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs on, submits, and maps NEW, partial and full fills with exact paise and the exchange trade ids', async () => {
    await startGateway();
    expect(connects).toBe(1);
    gateway.onMessage(() => Promise.reject(new Error('a broken listener'))); // must not stop the others or the session
    const seller: VenueMessage[] = [];
    sim.onMessage('M2', (m) => seller.push(m));

    await gateway.submit(buy('B1', 115_005));
    expect(await report('B1', 'NEW')).toMatchObject({ memberId: 'MSTOCK', orderStatus: 'NEW', price: 115_005, quantity: 10, leavesQuantity: 10, instrumentToken: ACME.instrumentToken, side: 'BUY', orderType: 'LIMIT', validity: 'DAY' });
    counterparty(115_000, 4);
    const partial = await report('B1', 'PARTIAL_FILL');
    expect(partial).toMatchObject({ orderStatus: 'PARTIALLY_FILLED', lastQuantity: 4, lastPrice: 115_005, cumQuantity: 4, leavesQuantity: 6, averagePrice: 115_005 });
    counterparty(114_900, 6);
    const fill = await report('B1', 'FILL');
    expect(fill).toMatchObject({ orderStatus: 'FILLED', lastQuantity: 6, lastPrice: 115_005, cumQuantity: 10, leavesQuantity: 0 });
    const sellerTrades = seller.filter((m): m is ExecutionReport => m.kind === 'execution' && m.tradeId !== undefined).map((m) => m.tradeId);
    expect([partial.tradeId, fill.tradeId]).toEqual(sellerTrades);

    // Taking two levels: (4 × 1150.00 + 6 × 1150.05) / 10 = 1150.03 exactly in paise.
    counterparty(115_000, 4);
    counterparty(115_005, 6);
    await gateway.submit(buy('B2', 115_010));
    expect(await report('B2', 'FILL')).toMatchObject({ cumQuantity: 10, averagePrice: 115_003, lastPrice: 115_005 });
    expect(reports('B2').map((r) => [r.execType, r.lastPrice])).toEqual([['NEW', undefined], ['PARTIAL_FILL', 115_000], ['FILL', 115_005]]);
    expect(new Set(reports('B2').map((r) => r.exchangeOrderId)).size).toBe(1);
    expect(errors.filter((e) => e.includes('a broken listener')).length).toBeGreaterThan(0);
    expect(gateway.isAvailable()).toBe(true);
  });

  it('replaces and cancels, answers status requests, and maps rejects and cancel rejects with their reason codes', async () => {
    await startGateway();
    await gateway.submit({ ...buy('R1', 110_000), disclosedQuantity: 5 });
    await report('R1', 'NEW');
    await gateway.replace({ clOrdId: 'R1.2', origClOrdId: 'R1', quantity: 20, price: 110_050 });
    expect(await report('R1.2', 'REPLACED')).toMatchObject({ origClOrdId: 'R1', quantity: 20, price: 110_050, leavesQuantity: 20, orderStatus: 'NEW' });

    expect(await gateway.requestStatus('R1.2')).toBe('requested');
    expect(await report('R1.2', 'ORDER_STATUS')).toMatchObject({ orderStatus: 'NEW', quantity: 20, price: 110_050, exchangeOrderId: reports('R1')[0].exchangeOrderId });

    await gateway.cancel({ clOrdId: 'R1.3', origClOrdId: 'R1.2' });
    expect(await report('R1.3', 'CANCELED')).toMatchObject({ origClOrdId: 'R1.2', orderStatus: 'CANCELED', leavesQuantity: 0, reasonCode: 'USER' });

    await gateway.cancel({ clOrdId: 'X.2', origClOrdId: 'X' });
    await until(() => inbox.some((m) => m.kind === 'cancel_reject'));
    const unknown = inbox.find((m): m is CancelReject => m.kind === 'cancel_reject')!;
    expect(unknown).toMatchObject({ clOrdId: 'X.2', origClOrdId: 'X', responseTo: 'CANCEL', reasonCode: 'UNKNOWN_ORDER' });
    expect([unknown.orderStatus, unknown.exchangeOrderId]).toEqual([undefined, undefined]); // the venue's '8' / 'NONE' stand-ins

    await gateway.requestStatus('nobody');
    expect(await report('nobody', 'ORDER_STATUS')).toMatchObject({ orderStatus: 'REJECTED', reasonCode: 'UNKNOWN_ORDER', cumQuantity: 0 });

    await gateway.submit(buy('odd', 115_003));
    const reject = await report('odd', 'REJECTED');
    expect(reject).toMatchObject({ orderStatus: 'REJECTED', reasonCode: 'PRICE_NOT_MULTIPLE_OF_TICK' });
    expect(reject.text).toMatch(/^Price must be a multiple of the tick size/); // the sentence, without the "CODE: " prefix

    await gateway.submit(buy('day', 110_000));
    await report('day', 'NEW');
    sim.expireDayOrders();
    expect(await report('day', 'EXPIRED')).toMatchObject({ orderStatus: 'EXPIRED', reasonCode: 'DAY_EXPIRY' });
  });

  it('turns a request the venue refuses unprocessed (Reject, BusinessMessageReject) into a REJECTED report or a cancel reject', async () => {
    await startGateway();
    await gateway.submit(buy('zero', 0)); // the acceptor answers Reject (3): Price must be positive
    expect(await report('zero', 'REJECTED')).toMatchObject({ reasonCode: 'SESSION_REJECT', text: expect.stringMatching(/Price \(44\) must be positive/), exchangeOrderId: '' });
    await gateway.submit(buy('keep', 110_000));
    await report('keep', 'NEW');
    sim.stop(); // the acceptor answers "venue not accepting requests" (j, reason 4)
    await gateway.submit(buy('refused', 110_000));
    expect(await report('refused', 'REJECTED')).toMatchObject({ reasonCode: 'BUSINESS_REJECT', text: 'venue is not accepting requests', quantity: 10, instrumentToken: ACME.instrumentToken });
    await gateway.cancel({ clOrdId: 'keep.2', origClOrdId: 'keep' });
    await until(() => inbox.some((m) => m.kind === 'cancel_reject'));
    expect(inbox.find((m) => m.kind === 'cancel_reject')).toMatchObject({ clOrdId: 'keep.2', origClOrdId: 'keep', responseTo: 'CANCEL', reasonCode: 'BUSINESS_REJECT' });
    sim.start();
  });

  it('refuses requests while the venue is down, reconnects by itself with sequence numbers continued, and fires onConnected again', async () => {
    await startGateway();
    await gateway.submit(buy('before', 110_000));
    await report('before', 'NEW');
    const before = gateway.linkState;
    await acceptor.stop();
    await until(() => !gateway.isAvailable());
    await expect(gateway.submit(buy('while-down', 110_000))).rejects.toBeInstanceOf(ExchangeUnavailableError);
    await expect(gateway.requestStatus('before')).rejects.toBeInstanceOf(ExchangeUnavailableError);

    await new Promise((r) => setTimeout(r, 300)); // a few refused dials
    await startAcceptor(acceptorPort);
    await until(() => gateway.isAvailable());
    expect(connects).toBe(2);
    const after = gateway.linkState;
    expect(after.logons).toBe(2);
    expect(after.nextOutgoingSeqNum).toBeGreaterThan(before.nextOutgoingSeqNum); // continued, not reset to 1
    expect(after.nextIncomingSeqNum).toBeGreaterThan(before.nextIncomingSeqNum);

    await gateway.submit(buy('after', 110_000));
    await report('after', 'NEW');
    await acceptor.stop(); // flushes its store: it expects our numbering to go on from where it was
    const acceptorState = JSON.parse(readFileSync(join(dir, 'acceptor', 'FIX.4.4-NSESIM-MSTOCK.seqnums.json'), 'utf8')) as { target: number };
    expect(acceptorState.target).toBeGreaterThan(before.nextOutgoingSeqNum);
    expect(errors).toEqual([]);
  });

  it('receives what the venue reported while the link was cut, as PossDup resends after the reconnect', async () => {
    const relay = new Relay(() => acceptorPort);
    await relay.open();
    await startGateway({ port: relay.port });
    await gateway.submit(buy('resting', 115_005));
    await report('resting', 'NEW');
    await relay.cut();
    await until(() => !gateway.isAvailable() && acceptor.onlineMembers().length === 0);

    counterparty(115_000, 3);
    counterparty(115_000, 7);
    await relay.open();
    await until(() => gateway.isAvailable());
    expect(connects).toBe(2);
    const fill = await report('resting', 'FILL');
    expect(reports('resting').map((r) => [r.execType, r.lastQuantity, r.lastPrice])).toEqual([
      ['NEW', undefined, undefined],
      ['PARTIAL_FILL', 3, 115_005],
      ['FILL', 7, 115_005],
    ]);
    expect(fill.tradeId).toMatch(/\S/);
    await relay.cut();
  });

  it('opens the circuit breaker when the venue stops answering new orders, and half-opens for one probe later', async () => {
    await startGateway({ answerTimeoutMs: 150 }, breaker(3, 600));
    venue.silent = true;
    for (const id of ['s1', 's2', 's3']) await gateway.submit(buy(id, 110_000)); // sent: the port's promise resolves
    await until(() => !gateway.isAvailable());
    expect(gateway.linkState).toMatchObject({ loggedOn: true, breaker: 'open' });
    await expect(gateway.submit(buy('s4', 110_000))).rejects.toThrow(/circuit breaker is open/);

    venue.silent = false;
    await until(() => gateway.isAvailable(), 2_000); // half-open: one probe may go
    expect(gateway.linkState.breaker).toBe('half-open');
    await gateway.submit(buy('probe', 110_000));
    expect(gateway.isAvailable()).toBe(false); // the probe is out; nothing else until it is answered
    await report('probe', 'NEW');
    await until(() => gateway.linkState.breaker === 'closed');
    expect(gateway.isAvailable()).toBe(true);
    expect(reports('s1')).toEqual([]); // never re-sent under another ClOrdID
  });

  it('keeps dialling a venue that refuses its Logon, saying why, and is never available', async () => {
    await startGateway({ senderCompId: 'STRANGER', storeDir: join(dir, 'stranger') }).catch(() => undefined);
    await until(() => warnings.some((w) => w.includes("refused our Logon: 'STRANGER' is not a member of this venue")));
    expect(gateway.isAvailable()).toBe(false);
    await expect(gateway.submit(buy('nope', 110_000))).rejects.toBeInstanceOf(ExchangeUnavailableError);
    await until(() => warnings.filter((w) => w.includes('refused our Logon')).length >= 2, 3_000);
  });

  it('a restarted gateway continues from its store: same sequence numbers, and it can cancel orders placed before', async () => {
    await startGateway();
    await gateway.submit({ ...buy('old', 110_000), side: 'BUY' });
    await report('old', 'NEW');
    const before = gateway.linkState;
    await gateway.stop();
    await startGateway();
    expect(gateway.linkState.nextOutgoingSeqNum).toBeGreaterThan(before.nextOutgoingSeqNum);
    await gateway.cancel({ clOrdId: 'old.2', origClOrdId: 'old' });
    expect(await report('old.2', 'CANCELED')).toMatchObject({ side: 'BUY', instrumentToken: ACME.instrumentToken });
    expect(errors).toEqual([]);
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
