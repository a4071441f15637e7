import request from 'supertest';
import { DataSource } from 'typeorm';
import type { ExecutionReport, NewOrderRequest, VenueMessage } from '../../src/common/exchange-protocol/venue.types';
import { FundsService } from '../../src/modules/accounts/funds.service';
import { InstrumentsService } from '../../src/modules/instruments';
import { OutboxDispatcher } from '../../src/modules/orders/outbox-dispatcher.service';
import { ExecutionHandler } from '../../src/modules/orders/execution-handler.service';
import { VENUE } from '../../src/modules/exchange-sim/venue.types';
import { enrolledUser, EnrolledUser, logIn } from '../factories/users';
import { TestApp } from './test-app';

export interface Trader {
  user: EnrolledUser;
  auth: { Authorization: string };
}

/** A KYC-verified trader with `rupees` of cash, logged in. */
export async function funded(t: TestApp, rupees: number): Promise<Trader> {
  const user = await enrolledUser(t);
  await t.app.get(DataSource).query(`UPDATE users SET kyc_status = 'verified' WHERE id = $1`, [user.userId]);
  if (rupees > 0) await t.app.get(FundsService).payIn(user.userId, rupees * 100);
  const { access_token } = await logIn(t, user);
  return { user, auth: { Authorization: `Bearer ${access_token}` } };
}

export function token(t: TestApp, symbol: string, exchange: 'NSE' | 'BSE' = 'NSE'): number {
  const i = t.app.get(InstrumentsService).getBySymbol(exchange, symbol);
  if (!i) throw new Error(`no instrument ${exchange}:${symbol}`);
  return i.instrumentToken;
}

let counterpartyOrders = 0;

/**
 * Another exchange member trading against our orders at the simulator (the synthetic liquidity is
 * off in tests, so fills are exactly what the test sends).
 */
export function counterparty(
  t: TestApp,
  o: Omit<NewOrderRequest, 'memberId' | 'clOrdId' | 'clientAccount' | 'validity'> & { validity?: 'DAY' | 'IOC'; clientAccount?: string },
): string {
  const venue = t.app.get(VENUE);
  const clOrdId = `cp-${++counterpartyOrders}`;
  venue.submit({ validity: 'DAY', clientAccount: 'CP1', ...o, memberId: 'COUNTERPARTY', clOrdId });
  return clOrdId;
}

/**
 * Waits until the broker is quiet: the outbox is drained, the venue's asynchronous reports have
 * arrived and every report is applied (polled, so a loaded machine only makes it slower, not flaky).
 */
export async function settle(t: TestApp, minMs = 50, maxMs = 10_000): Promise<void> {
  const db = t.app.get(DataSource);
  const handler = t.app.get(ExecutionHandler);
  const dispatcher = t.app.get(OutboxDispatcher);
  const started = Date.now();
  let quietRounds = 0;
  await new Promise((r) => setTimeout(r, minMs));
  while (Date.now() - started < maxMs) {
    await handler.idle();
    const [{ n }] = await db.query('SELECT count(*)::int AS n FROM outbox WHERE dispatched_at IS NULL AND available_at <= now()');
    // Leased rows are not due (their lease moved available_at) until the pass marks them dispatched.
    quietRounds = n === 0 && !dispatcher.passInFlight ? quietRounds + 1 : 0;
    if (quietRounds >= 3) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function placeOrder(t: TestApp, trader: Trader, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return request(t.url)
    .post('/api/v1/orders')
    .set({ ...trader.auth, ...headers })
    .send({ exchange: 'NSE', product: 'CNC', validity: 'DAY', ...body });
}

export async function getOrder(t: TestApp, trader: Trader, orderId: string) {
  return (await request(t.url).get(`/api/v1/orders/${orderId}`).set(trader.auth).expect(200)).body.data;
}

export type { ExecutionReport, VenueMessage };

/** Two other members trade with each other at `price`: moves the last traded price. */
export async function printTrade(t: TestApp, instrumentToken: number, price: number, quantity = 1): Promise<void> {
  counterparty(t, { instrumentToken, side: 'SELL', orderType: 'LIMIT', quantity, price, clientAccount: 'CP-S' });
  counterparty(t, { instrumentToken, side: 'BUY', orderType: 'LIMIT', quantity, price, clientAccount: 'CP-B', validity: 'IOC' });
  await settle(t, 50);
}
