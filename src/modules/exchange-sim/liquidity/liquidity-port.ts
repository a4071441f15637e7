import type { SessionState } from '../engine';

/** Synthetic liquidity trades under this member id; nothing is ever reported to it. */
export const LIQUIDITY_MEMBER = '__LIQUIDITY__';

/** An instrument as the synthetic-liquidity agents see it; prices in paise. */
export interface LiquidityInstrument {
  readonly token: number;
  readonly tickSize: number;
  readonly lowerCircuit: number;
  readonly upperCircuit: number;
  /** Previous close on the tick grid: where the fair value starts and reverts to. */
  readonly referencePrice: number;
  readonly lotSize: number;
  readonly freezeQty: number;
}

/**
 * The simulator's side door for synthetic liquidity. Agents place plain limit orders with
 * numeric ids and get no reports (their fills matter to no one), which keeps ~100K agent
 * commands a second cheap; their trades still move the market data like anyone's.
 * Positional arguments on purpose: this is the hot path and allocates no request objects.
 */
export interface LiquidityPort {
  readonly session: SessionState;
  /** False outside trading and during pre-open matching (09:08–09:15 IST). */
  readonly acceptingOrders: boolean;
  /** Tradable, not suspended instruments, in token order. */
  liquidityInstruments(): readonly LiquidityInstrument[];
  /** Engine client id for a member's account: self-trade prevention acts per client. */
  clientIdOf(memberId: string, clientAccount: string): number;
  bestBid(token: number): number;
  bestAsk(token: number): number;
  lastPrice(token: number): number;
  /** Returns the order id while the order rests in the book, else 0 (filled at once, cancelled or refused). */
  placeAgentOrder(token: number, clientId: number, isBuy: boolean, quantity: number, price: number, ioc: boolean): number;
  /** Cancels a resting agent order; a no-op once it has filled. */
  cancelAgentOrder(orderId: number): void;
}
