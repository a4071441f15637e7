import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DatabaseError } from 'pg';
import { DataSource } from 'typeorm';
import { paiseToRupees } from '../../common/money/money';
import { Clock, CLOCK } from '../../common/clock/clock';
import { istParts } from '../../common/clock/ist';
import { prepared, PreparedStatement, runPrepared } from '../../common/database/prepared-statement';
import type { OrderIntent } from '../risk/order-intent';
import { ServiceUnavailableError } from '../../common/errors';
import { histogramOnFirstUse } from '../../common/observability/metrics';
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
import { GroupCommit } from './group-commit';
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

/** One order for the placement statement; each field is a column of its unnest. */
interface Placement {
  user_id: string;
  variety: string;
  status: string;
  instrument_token: number;
  exchange: string;
  tradingsymbol: string;
  transaction_type: string;
  order_type: string;
  product: string;
  validity: string;
  quantity: number;
  disclosed_quantity: number;
  price: number;
  trigger_price: number;
  exchange_price: number;
  margin_blocked: number;
  holdings_blocked: number;
  tag: string | null;
  placed_by: string;
  iceberg_total: number | null;
  iceberg_legs: number | null;
  parent_order_id: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  to_outbox: boolean;
}

const PLACEMENT_TYPES: Record<keyof Placement, string> = {
  user_id: 'uuid',
  variety: 'text',
  status: 'text',
  instrument_token: 'integer',
  exchange: 'text',
  tradingsymbol: 'text',
  transaction_type: 'text',
  order_type: 'text',
  product: 'text',
  validity: 'text',
  quantity: 'integer',
  disclosed_quantity: 'integer',
  price: 'bigint',
  trigger_price: 'bigint',
  exchange_price: 'bigint',
  margin_blocked: 'bigint',
  holdings_blocked: 'integer',
  tag: 'text',
  placed_by: 'text',
  iceberg_total: 'integer',
  iceberg_legs: 'integer',
  parent_order_id: 'bigint',
  idempotency_key: 'text',
  request_hash: 'text',
  to_outbox: 'boolean',
};
const PLACEMENT_FIELDS = Object.keys(PLACEMENT_TYPES) as (keyof Placement)[];
const NOT_ORDER_COLUMNS = new Set<keyof Placement>(['idempotency_key', 'request_hash', 'to_outbox']);
const ORDER_FIELDS = PLACEMENT_FIELDS.filter((f) => !NOT_ORDER_COLUMNS.has(f)).join(', ');

/**
 * The placement statement for a group of orders behind a margin gate (buys, MIS/short sells)
 * or a holdings gate (CNC sells), at most one per user. Built once: it runs as a named prepared
 * statement, planned once per connection.
 *
 * `claim`: for each order with an Idempotency-Key, a transaction-scoped advisory lock on (user,
 * key) taken before anything is written. A duplicate whose statement overlaps the first one's
 * fails to take it and writes nothing (409, in flight); one that comes after the first committed
 * takes it and then meets the idempotency record's unique key (and replays). Postgres is shared
 * by every replica, so this needs no Redis round trip.
 */
function placementStatement(cncSell: boolean): PreparedStatement {
  const gateSource = cncSell
    ? 'SELECT n, user_id, instrument_token, holdings_blocked AS quantity FROM ok'
    : 'SELECT n, user_id, margin_blocked AS amount, id::text AS ref_id FROM ok';
  const gate = cncSell ? PortfolioLedger.holdingBlockClauses('src', 'gate') : FundsService.marginBlockClauses('src', 'gate');
  return prepared(
    cncSell ? 'orders.place.holdings' : 'orders.place.margin',
    `WITH req AS (
       SELECT * FROM unnest(${PLACEMENT_FIELDS.map((f, i) => `$${i + 1}::${PLACEMENT_TYPES[f]}[]`).join(', ')})
         WITH ORDINALITY AS r(${PLACEMENT_FIELDS.join(', ')}, n)
     ), claim AS (
       SELECT n, idempotency_key IS NULL
         OR pg_try_advisory_xact_lock(${IDEMPOTENCY_LOCK_SPACE}, hashtext(user_id::text || ':' || idempotency_key)) AS free
       FROM req
     ), ok AS (
       SELECT req.*, nextval('order_id_seq') AS id FROM req JOIN claim USING (n)
       WHERE claim.free AND ${UsersService.tradingAllowedCondition('req.user_id')}
     ), src AS (${gateSource}),
     ${gate},
     placed AS (SELECT ok.* FROM ok JOIN gate USING (n)),
     ins AS (
       INSERT INTO orders (id, ${ORDER_FIELDS}) SELECT id, ${ORDER_FIELDS} FROM placed RETURNING ${ORDER_COLUMNS}
     ), ev AS (
       INSERT INTO order_events (order_id, status) SELECT id, status FROM ins
     ), idem AS (
       INSERT INTO idempotency_keys (user_id, key, request_hash, response)
       SELECT user_id, idempotency_key, request_hash, jsonb_build_object('order_id', id::text) FROM placed WHERE idempotency_key IS NOT NULL
     ), ob AS (
       INSERT INTO outbox (topic, aggregate_id) SELECT 'exchange.submit', id::text FROM placed WHERE to_outbox
     )
     SELECT claim.n, claim.free AS idempotency_key_free, ins.* FROM claim LEFT JOIN ok USING (n) LEFT JOIN ins ON ins.id = ok.id
     ORDER BY claim.n`,
  );
}

const STORED_RESULT = prepared('orders.idempotency.stored', 'SELECT request_hash, response FROM idempotency_keys WHERE user_id = $1 AND key = $2');
/**
 * Placement statements in flight at once per gate: enough to keep both cores' Postgres busy
 * while the next group gathers, few enough that groups grow under load (see GroupCommit).
 */
export const PLACEMENTS_IN_FLIGHT = 4;
const MAX_PLACEMENT_GROUP = 100;
const placementGroupSize = histogramOnFirstUse({
  name: 'order_placement_group_size',
  help: 'Orders placed by one placement statement (group commit)',
  buckets: [1, 2, 5, 10, 25, 50, 100],
});

/**
 * Placement is one SQL statement: block margin (or holdings, for a CNC sell) conditionally, and
 * only if that succeeded insert the order, its first event, the idempotency record and the
 * outbox row. Atomic by itself, one round trip, no lock held across I/O. Under load, orders that
 * arrive together share that statement and its commit (group commit, one order per user per
 * group): each still succeeds or fails on its own margin. The exchange hears of an order only
 * after commit, from the outbox.
 */
@Injectable()
export class OrderPlacementService {
  private readonly marginPlacements = this.groupCommit(false);
  private readonly holdingsPlacements = this.groupCommit(true);

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
    const row = await (cncSell ? this.holdingsPlacements : this.marginPlacements).submit({
      user_id: user.userId,
      variety,
      status,
      instrument_token: intent.instrument.instrumentToken,
      exchange: intent.instrument.exchange,
      tradingsymbol: intent.instrument.tradingsymbol,
      transaction_type: intent.transactionType,
      order_type: intent.orderType,
      product: intent.product,
      validity: intent.validity,
      quantity,
      disclosed_quantity: intent.disclosedQuantity,
      price: intent.price,
      trigger_price: intent.triggerPrice,
      exchange_price: exchangePrice,
      margin_blocked: cncSell ? 0 : margin,
      holdings_blocked: cncSell ? quantity : 0,
      tag: input.tag ?? null,
      placed_by: user.clientId,
      iceberg_total: plan?.total ?? null,
      iceberg_legs: plan?.legs ?? null,
      parent_order_id: leg?.parentId ?? null,
      idempotency_key: key,
      request_hash: hash,
      to_outbox: status === OrderStatus.Received,
    });
    if (!row.idempotency_key_free) throw new IdempotencyInFlightError();
    if (row.id === null) await this.explainRefusal(user.userId, cncSell, margin, quantity, intent.instrument.instrumentToken);
    const order = toOrder(row);
    this.events.emit(ORDER_UPDATED, { order } satisfies OrderUpdatedEvent);
    if (status === OrderStatus.Received) this.dispatcher.kick();
    return { response: { order_id: order.id }, replayed: false };
  }

  /** Placements in statements now running, and placements waiting for a statement slot. */
  get load(): { inFlight: number; waiting: number } {
    const [m, h] = [this.marginPlacements.load, this.holdingsPlacements.load];
    return { inFlight: m.inFlight + h.inFlight, waiting: m.waiting + h.waiting };
  }

  /** Concurrent placements behind one gate share a statement and a commit. */
  private groupCommit(cncSell: boolean): GroupCommit<Placement, Record<string, unknown>> {
    // Built here, not at import: the clauses come from other modules' classes.
    const statement = placementStatement(cncSell);
    return new GroupCommit({
      run: (group) => {
        placementGroupSize.observe(group.length);
        return runPrepared(this.dataSource, statement, PLACEMENT_FIELDS.map((f) => group.map((p) => p[f])));
      },
      keyOf: (p) => p.user_id,
      wroteNothing: (err) => err instanceof DatabaseError,
      maxInFlight: PLACEMENTS_IN_FLIGHT,
      maxBatch: MAX_PLACEMENT_GROUP,
    });
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
}
