import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { io, Socket } from 'socket.io-client';
import { createApp } from '../../src/app.factory';
import { ManualClock } from '../../src/common/clock/clock';
import { AppConfig } from '../../src/common/config/app-config';
import { InstrumentsService } from '../../src/modules/instruments';
import { Quote, QUOTES_UPDATED, QuotesUpdatedEvent } from '../../src/modules/market-data/market-data.events';
import { Order, ORDER_UPDATED, OrderUpdatedEvent } from '../../src/modules/orders/order';
import { RealtimeClient, RealtimeClientEvents, RealtimeClientOptions } from '../../src/sdk';
import { TestApp } from './test-app';

/** Like startTestApp, but on a chosen port (a restarted server must come back where clients look for it). */
export async function startAppOnPort(config: AppConfig, port: number, clock = new ManualClock(Date.now())): Promise<TestApp> {
  const app: NestFastifyApplication = await createApp(config, { clock });
  await app.listen(port, '127.0.0.1');
  return { app, clock, config, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export const portOf = (t: TestApp) => Number(new URL(t.url).port);

/** A quote for a real instrument, the shape market-data emits; prices in paise. */
export function quoteFor(t: TestApp, key: string, lastPrice: number, extra: Partial<Quote> = {}): Quote {
  const i = t.app.get(InstrumentsService).resolve(key);
  if (!i) throw new Error(`no instrument ${key}`);
  const now = Date.now();
  const level = (n: number, side: 1 | -1) => ({ price: lastPrice - side * 5 * (n + 1), quantity: 100 * (n + 1), orders: n + 1 });
  return {
    instrumentToken: i.instrumentToken, exchange: i.exchange, tradingsymbol: i.tradingsymbol, lastPrice, lastQuantity: 5,
    lastTradeTime: now, volume: 1000, averagePrice: lastPrice, open: i.prevClose, high: lastPrice, low: lastPrice, close: i.prevClose,
    change: lastPrice - i.prevClose, changePercent: Number((((lastPrice - i.prevClose) * 100) / i.prevClose).toFixed(2)),
    lowerCircuit: i.lowerCircuit, upperCircuit: i.upperCircuit, totalBuyQuantity: 500, totalSellQuantity: 400,
    bids: [0, 1, 2, 3, 4].map((n) => level(n, 1)), asks: [0, 1, 2, 3, 4].map((n) => level(n, -1)), timestamp: now, stale: false, ...extra,
  };
}

/** What the market-data module does on every replica: one QUOTES_UPDATED batch. */
export function publishQuotes(t: TestApp, quotes: Quote[]): void {
  t.app.get(EventEmitter2).emit(QUOTES_UPDATED, { quotes, publishedAt: Date.now() } satisfies QuotesUpdatedEvent);
}

export const tokenOf = (t: TestApp, key: string) => t.app.get(InstrumentsService).resolve(key)!.instrumentToken;

/** The SDK as the web terminal uses it, connected (or rejects with the reason it closed). */
export async function connectSdk(
  t: TestApp,
  token: string,
  options: Partial<RealtimeClientOptions> = {},
  beforeConnect?: (client: RealtimeClient) => void,
): Promise<RealtimeClient> {
  const client = new RealtimeClient({ url: t.url, token, transports: ['websocket'], ...options });
  beforeConnect?.(client);
  const connected = new Promise<void>((resolve, reject) => {
    client.on('connected', () => resolve());
    client.on('closed', (reason) => reject(new Error(reason)));
  });
  client.connect();
  await connected;
  return client;
}

/** Collects an SDK event's payloads from now on. */
export function record<K extends keyof RealtimeClientEvents>(client: RealtimeClient, event: K): RealtimeClientEvents[K][0][] {
  const seen: RealtimeClientEvents[K][0][] = [];
  client.on(event, ((...args: RealtimeClientEvents[K]) => seen.push(args[0])) as never);
  return seen;
}

/** Waits until `check` passes (retrying its assertion), or fails with its last error. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 3000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A bare socket.io client (no SDK), for handshake tests: resolves with how the attempt ended. */
export function rawConnect(
  t: TestApp,
  auth: Record<string, unknown>,
  extraHeaders: Record<string, string> = {},
): Promise<{ outcome: 'connected'; socket: Socket } | { outcome: 'refused'; message: string; data?: { code: string } }> {
  const socket = io(t.url, { auth, extraHeaders, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ outcome: 'connected', socket }));
    socket.once('connect_error', (err: Error & { data?: { code: string } }) => {
      socket.close();
      resolve({ outcome: 'refused', message: err.message, data: err.data });
    });
  });
}

/** An Order as the orders module emits it with ORDER_UPDATED (money in paise). */
export function orderFor(userId: string, placedBy: string, overrides: Partial<Order> = {}): Order {
  const now = new Date();
  return {
    id: String(900_000_000 + Math.floor(Math.random() * 1_000_000)), userId, variety: 'regular', parentOrderId: null, status: 'OPEN',
    statusMessage: null, instrumentToken: 408065, exchange: 'NSE', tradingsymbol: 'INFY', transactionType: 'BUY', orderType: 'LIMIT',
    product: 'CNC', validity: 'DAY', quantity: 10, disclosedQuantity: 0, price: 145_000, triggerPrice: 0, exchangePrice: 145_000,
    filledQuantity: 0, cancelledQuantity: 0, filledValue: 0, averagePrice: 0, marginBlocked: 1_450_000, holdingsBlocked: 0, version: 1,
    pendingAmendment: null, exchangeOrderId: '1100000000000001', tag: null, placedBy, placedAt: now, exchangeTimestamp: now, updatedAt: now,
    ...overrides,
  } as Order;
}

export function emitOrderUpdated(t: TestApp, order: Order): void {
  t.app.get(EventEmitter2).emit(ORDER_UPDATED, { order } satisfies OrderUpdatedEvent);
}

/** Any in-process event, as the module that owns it emits it. */
export function emitEvent(t: TestApp, name: string, payload: object): void {
  t.app.get(EventEmitter2).emit(name, payload);
}
