import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { paiseToRupees } from '../../common/money/money';
import { Clock, CLOCK } from '../../common/clock/clock';
import { istParts } from '../../common/clock/ist';
import { prepared, PreparedStatement, runPrepared } from '../../common/database/prepared-statement';
import type { OrderIntent } from '../risk/order-intent';
import { ServiceUnavailableError } from '../../common/errors';
import { FundsService } from '../accounts/funds.service';
import { AuthUser } from '../auth/auth.types';
import { EXCHANGE_GATEWAY, ExchangeGateway } from '../exchange/exchange-gateway';
import { PortfolioLedger } from '../portfolio/portfolio-ledger';
import { OrderRejectedError, InsufficientMarginError } from '../risk/risk.errors';
import { OrderInput, RiskService } from '../risk/risk.service';
import { UsersService } from '../users/users.service';
import { IdempotencyInFlightError, IdempotencyMismatchError, requestHash } from './idempotency';
import { ORDER_COLUMNS, ORDER_UPDATED, Order, OrderUpdatedEvent, toOrder } from './order';
import { OrderStatus } from './order-status';
import { OutboxDispatcher } from './outbox-dispatcher.service';

export interface IcebergLeg {
  /** The first leg's order id. */
  parentId: string;
  /** 2 for the second leg, … */
  index: number;
}

export interface PlaceResult {
  response: { order_id: string };
  replayed: boolean;
}

interface StoredResult {
  request_hash: string;
  response: { order_id: string };
}

/** A key seen before: the first answer again, or 422 when it came with a different request. */
function replayOf(stored: StoredResult, hash: string): PlaceResult {
  if (stored.request_hash !== hash) throw new IdempotencyMismatchError();
  return { response: stored.response, replayed: true };
}

/**
 * Advisory-lock namespace (first key of the two-key form, which never overlaps the one-key
 * locks used elsewhere) for "this user's Idempotency-Key is being placed right now".
 */
const IDEMPOTENCY_LOCK_SPACE = 0x1de9;

/**
 * The placement statement for a margin gate (buys, MIS/short sells) or a holdings gate (CNC
 * sells). Built once: it runs as a named prepared statement, planned once per connection.
 *
 * `claim`: with an Idempotency-Key, a transaction-scoped advisory lock on (user, key) taken
 * before anything is written. A duplicate whose statement overlaps the first one's fails to take
 * it and writes nothing (409, in flight); one that comes after the first committed takes it and
 * then meets the idempotency record's unique key (and replays). Postgres is shared by every
 * replica, so this needs no Redis round trip.
 */
function placementStatement(cncSell: boolean): PreparedStatement {
  const standing = `${UsersService.tradingAllowedCondition('$1')} AND (SELECT free FROM claim)`;
  const gate = cncSell
    ? PortfolioLedger.holdingBlockClauses({ userId: '$1', instrumentToken: '$5', quantity: '$2', condition: standing }, 'gate')
    : FundsService.marginBlockClauses({ userId: '$1', amount: '$2', refId: '(SELECT id::text FROM newid)', condition: standing }, 'gate');
  return prepared(
    cncSell ? 'orders.place.holdings' : 'orders.place.margin',
    `WITH claim AS (
       SELECT $21::text IS NULL OR pg_try_advisory_xact_lock(${IDEMPOTENCY_LOCK_SPACE}, hashtext($1::uuid::text || ':' || $21::text)) AS free
     ), newid AS (SELECT nextval('order_id_seq') AS id),
     ${gate},
     ins AS (
       INSERT INTO orders (id, user_id, variety, status, instrument_token, exchange, tradingsymbol, transaction_type, order_type,
         product, validity, quantity, disclosed_quantity, price, trigger_price, exchange_price, margin_blocked, holdings_blocked, tag, placed_by,
         iceberg_total, iceberg_legs, parent_order_id)
       SELECT newid.id, $1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $24, $25, $26 FROM newid, gate
       RETURNING ${ORDER_COLUMNS}
     ), ev AS (
       INSERT INTO order_events (order_id, status) SELECT id, status FROM ins
     ), idem AS (
       INSERT INTO idempotency_keys (user_id, key, request_hash, response)
       SELECT $1, $21, $22, jsonb_build_object('order_id', id::text) FROM ins WHERE $21::text IS NOT NULL
     ), ob AS (
       INSERT INTO outbox (topic, aggregate_id) SELECT 'exchange.submit', id::text FROM ins WHERE $23::boolean
     )
     SELECT claim.free AS idempotency_key_free, ins.* FROM claim LEFT JOIN ins ON true`,
  );
}

// Built on first use, not at import: the clauses come from other modules' classes.
let placeWithMargin: PreparedStatement | undefined;
let placeWithHoldings: PreparedStatement | undefined;
const STORED_RESULT = prepared('orders.idempotency.stored', 'SELECT request_hash, response FROM idempotency_keys WHERE user_id = $1 AND key = $2');

/**
 * Placement is one SQL statement: block margin (or holdings, for a CNC sell) conditionally, and
 * only if that succeeded insert the order, its first event, the idempotency record and the
 * outbox row. Atomic by itself, one round trip, no lock held across I/O. The exchange hears of
 * the order only after commit, from the outbox.
 */
@Injectable()
export class OrderPlacementService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly risk: RiskService,
    private readonly funds: FundsService,
    private readonly portfolio: PortfolioLedger,
    private readonly users: UsersService,
    private readonly dispatcher: OutboxDispatcher,
    private readonly events: EventEmitter2,
    @Inject(EXCHANGE_GATEWAY) private readonly gateway: ExchangeGateway,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async place(user: AuthUser, input: OrderInput & { tag?: string }, idempotencyKey?: string, leg?: IcebergLeg): Promise<PlaceResult> {
    if (!idempotencyKey) return this.placeOnce(user, input, null, null, leg);
    const hash = requestHash(input as unknown as Record<string, unknown>);
    try {
      return await this.placeOnce(user, input, idempotencyKey, hash, leg);
    } catch (err) {
      if (err instanceof IdempotencyInFlightError) throw err;
      // The key may have been used before: then the answer is the first one (or 422), whatever
      // this attempt ran into — the record's unique key, or a refusal the first request did not
      // meet (its margin is spent now, the market closed). Checked only on this slow path.
      const stored = await this.storedResult(user.userId, idempotencyKey).catch(() => null);
      if (stored) return replayOf(stored, hash);
      throw err;
    }
  }

  /**
   * The next leg of an iceberg, after the previous one completed: validated and margined as an
   * order of its own. Its idempotency key makes a repeated request place it once.
   */
  placeIcebergLeg(user: AuthUser, input: OrderInput & { tag?: string }, leg: IcebergLeg): Promise<PlaceResult> {
    return this.place(user, { ...input, icebergLegs: undefined }, `iceberg:${leg.parentId}:${leg.index}`, leg);
  }

  private async placeOnce(
    user: AuthUser,
    input: OrderInput & { tag?: string },
    key: string | null,
    hash: string | null,
    leg?: IcebergLeg,
  ): Promise<PlaceResult> {
    const intent = this.risk.intentFor(leg ? { ...input, variety: 'regular' } : input);
    const assessed = await this.risk.assess(intent, { reducingQuantity: await this.reducingQuantity(user.userId, intent) });
    const { exchangePrice } = assessed;
    // An iceberg goes out one leg at a time: the first leg now, with its share of the margin.
    const plan = !leg && intent.variety === 'iceberg' ? { total: intent.quantity, legs: intent.icebergLegs! } : null;
    const quantity = plan ? Math.ceil(plan.total / plan.legs) : intent.quantity;
    const margin = plan ? Math.ceil((assessed.margin * quantity) / plan.total) : assessed.margin;
    if (intent.variety !== 'amo' && !this.gateway.isAvailable()) {
      throw new ServiceUnavailableError('The exchange link is down; no new orders are accepted until it is back', 'ORDER.EXCHANGE_UNAVAILABLE');
    }
    const cncSell = intent.product === 'CNC' && intent.transactionType === 'SELL';
    const variety = leg ? 'iceberg' : intent.variety;
    const status = variety === 'amo' ? OrderStatus.AmoReceived : OrderStatus.Received;
    const [row] = await runPrepared(
      this.dataSource,
      cncSell ? (placeWithHoldings ??= placementStatement(true)) : (placeWithMargin ??= placementStatement(false)),
      [
        user.userId,
        cncSell ? quantity : margin,
        variety,
        status,
        intent.instrument.instrumentToken,
        intent.instrument.exchange,
        intent.instrument.tradingsymbol,
        intent.transactionType,
        intent.orderType,
        intent.product,
        intent.validity,
        quantity,
        intent.disclosedQuantity,
        intent.price,
        intent.triggerPrice,
        exchangePrice,
        cncSell ? 0 : margin,
        cncSell ? quantity : 0,
        input.tag ?? null,
        user.clientId,
        key,
        hash,
        status === OrderStatus.Received,
        plan?.total ?? null,
        plan?.legs ?? null,
        leg?.parentId ?? null,
      ],
    );
    if (!row.idempotency_key_free) throw new IdempotencyInFlightError();
    if (row.id === null) await this.explainRefusal(user.userId, cncSell, margin, quantity, intent.instrument.instrumentToken);
    const order = toOrder(row);
    this.events.emit(ORDER_UPDATED, { order } satisfies OrderUpdatedEvent);
    if (status === OrderStatus.Received) this.dispatcher.kick();
    return { response: { order_id: order.id }, replayed: false };
  }

  /** How much of an MIS order closes today's opposite intraday position (that part needs no margin). */
  private async reducingQuantity(userId: string, intent: OrderIntent): Promise<number> {
    if (intent.product !== 'MIS') return 0;
    const net = await this.portfolio.netQuantity(this.dataSource.manager, {
      userId,
      instrumentToken: intent.instrument.instrumentToken,
      product: 'MIS',
      tradeDate: istParts(this.clock.now()).date,
    });
    const opposite = (intent.transactionType === 'SELL' && net > 0) || (intent.transactionType === 'BUY' && net < 0);
    return opposite ? Math.min(intent.quantity, Math.abs(net)) : 0;
  }

  /** The single statement wrote nothing: say exactly why (slow path only). */
  private async explainRefusal(userId: string, cncSell: boolean, margin: number, quantity: number, token: number): Promise<never> {
    const user = await this.users.getById(userId);
    if (user.kycStatus !== 'verified') throw new OrderRejectedError('ORDER.KYC_PENDING', 'Trading needs a verified KYC', 403);
    if (user.tradingBlocked) throw new OrderRejectedError('ORDER.TRADING_BLOCKED', 'Trading is blocked on this account; contact support', 403);
    if (cncSell) {
      const free = await this.portfolio.sellableQuantity(this.dataSource.manager, userId, token);
      throw new InsufficientMarginError(`Insufficient holdings: ${free} shares can be sold, ${quantity} were asked`, 'MARGIN.INSUFFICIENT_HOLDINGS');
    }
    const available = (await this.funds.get(userId)).available;
    throw new InsufficientMarginError(
      `Insufficient funds. Required margin is ${paiseToRupees(margin).toFixed(2)} but available margin is ${paiseToRupees(available).toFixed(2)}.`,
    );
  }

  private async storedResult(userId: string, key: string): Promise<StoredResult | null> {
    const [row] = await runPrepared<StoredResult>(this.dataSource, STORED_RESULT, [userId, key]);
    return row ?? null;
  }

  /** The order as stored (for events after amendments). */
  async load(orderId: string): Promise<Order | null> {
    const [row] = await this.dataSource.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [orderId]);
    return row ? toOrder(row) : null;
  }
}
