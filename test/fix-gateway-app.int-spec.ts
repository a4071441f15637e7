import { mkdtempSync, rmSync } from 'fs';
import { createServer, type AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { FundsService } from '../src/modules/accounts/funds.service';
import { EXCHANGE_GATEWAY } from '../src/modules/exchange/exchange-gateway';
import { FixGateway } from '../src/modules/exchange/fix-gateway';
import { FixAcceptor } from '../src/modules/exchange-sim/fix/fix-acceptor';
import { ExchangeSimulator } from '../src/modules/exchange-sim/simulator/exchange-simulator';
import { ManualClock } from '../src/common/clock/clock';
import { InstrumentsService } from '../src/modules/instruments';
import { productionTestConfig, startTestApp, type TestApp } from './support/test-app';
import { counterparty, funded, getOrder, placeOrder, settle, token } from './support/trading';

/**
 * The whole app with EXCHANGE_FIX_HOST set: orders leave through the FIX initiator to a FIX
 * acceptor that this test runs over the app's own simulator, and come back as FIX reports.
 */
describe('Orders through the FIX 4.4 initiator (whole app, real Postgres)', () => {
  let t: TestApp;
  let dir: string;
  let port: number;
  let acceptor: FixAcceptor;
  let gateway: FixGateway;
  let INFY: number;

  const startAcceptor = (sim: ExchangeSimulator): Promise<number> => {
    acceptor = new FixAcceptor(sim, { port, compId: 'NSESIM', storeDir: join(dir, 'venue-fix'), allowedMembers: ['MSTOCK'] });
    return acceptor.start();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mstock-fixapp-'));
    port = await freePort();
    let listening: Promise<number> = Promise.resolve(0);
    t = await startTestApp(
      productionTestConfig({ EXCHANGE_FIX_HOST: '127.0.0.1', EXCHANGE_FIX_PORT: String(port), MARKET_HOURS: 'always-open', MSTOCK_DATA_DIR: dir, ORDER_RATE_LIMIT_PER_SECOND: '1000' }),
      undefined,
      // Before listen, i.e. before bootstrap: the venue is up by the time the gateway first dials.
      (app) => void (listening = startAcceptor(app.get(ExchangeSimulator))),
    );
    await listening;
    gateway = t.app.get(EXCHANGE_GATEWAY);
    await until(() => gateway.isAvailable(), 10_000);
    INFY = token(t, 'INFY');
  });

  afterAll(async () => {
    await t?.close();
    await acceptor?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the FIX gateway, is ready while logged on, and fills an order placed over HTTP', async () => {
    expect(gateway).toBeInstanceOf(FixGateway);
    await request(t.url).get('/health/ready').expect(200);
    const trader = await funded(t, 100_000);
    const placed = await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 10, price: 1120.5 }).expect(200);
    const orderId = placed.body.data.order_id;
    await until(async () => (await getOrder(t, trader, orderId)).status === 'OPEN');

    counterparty(t, { instrumentToken: INFY, side: 'SELL', orderType: 'LIMIT', quantity: 4, price: 111900 });
    counterparty(t, { instrumentToken: INFY, side: 'SELL', orderType: 'LIMIT', quantity: 6, price: 112050 });
    await until(async () => (await getOrder(t, trader, orderId)).status === 'COMPLETE');
    expect(await getOrder(t, trader, orderId)).toMatchObject({ filled_quantity: 10, average_price: 1120.5 });
    const funds = t.app.get(FundsService);
    expect(await funds.get(trader.user.userId)).toMatchObject({ balance: 10_000_000 - 1_120_500, blocked: 0 });
    const trades = (await request(t.url).get(`/api/v1/orders/${orderId}/trades`).set(trader.auth).expect(200)).body.data;
    expect(trades.map((x: { quantity: number }) => x.quantity)).toEqual([4, 6]);
  });

  it('cancels through FIX; while the venue is away the app is not ready and refuses orders; it recovers by itself', async () => {
    const trader = await funded(t, 50_000);
    const { order_id } = (await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 20, price: 1100 }).expect(200)).body.data;
    await until(async () => (await getOrder(t, trader, order_id)).status === 'OPEN');
    await request(t.url).delete(`/api/v1/orders/${order_id}`).set(trader.auth).expect(200);
    await until(async () => (await getOrder(t, trader, order_id)).status === 'CANCELLED');

    const sim = t.app.get(ExchangeSimulator);
    await acceptor.stop();
    await until(() => !gateway.isAvailable());
    await request(t.url).get('/health/ready').expect(503);
    const refused = await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 1, price: 1100 }).expect(503);
    expect(refused.body).toMatchObject({ status: 'error', message: expect.stringMatching(/exchange link is down/) });

    await startAcceptor(sim);
    await until(() => gateway.isAvailable(), 10_000);
    await settle(t);
    await request(t.url).get('/health/ready').expect(200);
    expect(gateway.linkState.logons).toBe(2);
  });
});

describe('The app with SIM_ENABLED=false and a separate FIX venue', () => {
  let t: TestApp;
  let dir: string;
  let venue: ExchangeSimulator;
  let acceptor: FixAcceptor;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mstock-fixvenue-'));
    // The venue runs on its own (as `npm run exchange-sim` would): its instruments are listed once the app has loaded them.
    venue = new ExchangeSimulator({ clock: new ManualClock(Date.now()) });
    venue.setSession('CONTINUOUS');
    venue.start();
    acceptor = new FixAcceptor(venue, { port: 0, compId: 'VENUE1', storeDir: join(dir, 'venue-fix') });
    const port = await acceptor.start();
    t = await startTestApp(
      productionTestConfig({
        SIM_ENABLED: 'false', EXCHANGE_FIX_HOST: '127.0.0.1', EXCHANGE_FIX_PORT: String(port), EXCHANGE_FIX_SENDER_COMP_ID: 'BROKER1',
        EXCHANGE_FIX_TARGET_COMP_ID: 'VENUE1', MARKET_HOURS: 'always-open', MSTOCK_DATA_DIR: dir, ORDER_RATE_LIMIT_PER_SECOND: '1000',
      }),
    );
    venue.listInstruments(t.app.get(InstrumentsService).all());
    await until(() => t.app.get<FixGateway>(EXCHANGE_GATEWAY).isAvailable(), 10_000);
  });

  afterAll(async () => {
    await t?.close();
    await acceptor?.stop();
    venue?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('boots, is ready on the FIX link alone, and trades through it', async () => {
    await request(t.url).get('/health/ready').expect(200);
    const trader = await funded(t, 20_000);
    const INFY = token(t, 'INFY');
    const { order_id } = (await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 3, price: 1100 }).expect(200)).body.data;
    await until(async () => (await getOrder(t, trader, order_id)).status === 'OPEN');
    venue.submit({ memberId: 'OTHER', clOrdId: 'o-1', clientAccount: 'X', instrumentToken: INFY, side: 'SELL', orderType: 'LIMIT', validity: 'DAY', quantity: 3, price: 110_000 });
    await until(async () => (await getOrder(t, trader, order_id)).status === 'COMPLETE');
    expect(acceptor.onlineMembers()).toEqual(['BROKER1']);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
