import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { PubSub, PUBSUB, Unsubscribe } from '../../common/redis/ports';
import { REDIS_CONNECTIONS, RedisConnections } from '../../common/redis/redis.module';
import { SESSION_REVOKED_CHANNEL, SessionRevokedEvent } from '../auth/auth.types';
import { FEED_STATUS_CHANGED, FeedStatusChangedEvent, QUOTES_UPDATED, QuotesUpdatedEvent } from '../market-data/market-data.events';
import { ORDER_UPDATED, ordersFromJson, type Order, type OrderUpdatedEvent } from '../orders/order';
import { orderView } from '../orders/order-view';
import { TickFanout } from './fanout/tick-fanout';
import { RealtimeGateway } from './gateway/realtime.gateway';
import { userRoom } from './gateway/socket-types';
import { KiteTickerServer } from './kite/kite-ticker.server';
import { RealtimeState } from './realtime-state';
import { WatchRegistry } from './watch-registry';
import { framesSent, registerGaugeSource } from './realtime.metrics';
import { ALERT_TRIGGERED, AlertTriggeredEvent } from './realtime.events';
import { MARGIN_CALL, MarginCallEvent } from '../portfolio/portfolio.events';
import { paiseToRupees } from '../../common/money/money';
import type { MarginCallNotice } from '../../sdk/protocol';

const MARKET_STATUS_POLL_MS = 1000;
const ORDER_UPDATES = 'order:updates';

/**
 * Turns in-process events into pushes. Quotes and feed status arrive on every replica, so they
 * go to local connections only; an order, alert or margin call happens on one replica and goes
 * to the user's room through the Redis adapter, reaching their sockets wherever they are.
 * Logouts arrive on the pub/sub bus on every replica, and each closes its own sockets.
 */
@Injectable()
export class RealtimeRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RealtimeRelay.name);
  private readonly clustered: boolean;
  private unsubscribeRevocations: Unsubscribe | null = null;
  private marketTimer: NodeJS.Timeout | null = null;
  private marketPhase = '';
  private unregisterGauges: (() => void) | null = null;
  /** Order updates for the other replicas, sent once per turn of the loop. */
  private outgoingOrders: Order[] = [];
  private outgoingFlush: NodeJS.Immediate | null = null;

  constructor(
    private readonly gateway: RealtimeGateway,
    private readonly kite: KiteTickerServer,
    private readonly fanout: TickFanout,
    private readonly state: RealtimeState,
    private readonly watchers: WatchRegistry,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Inject(REDIS_CONNECTIONS) redis: RedisConnections | null,
  ) {
    this.clustered = redis !== null;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribeRevocations = await this.pubsub.subscribe(SESSION_REVOKED_CHANNEL, (message) => this.onSessionRevoked(message));
    this.gateway.server.on(ORDER_UPDATES, (json: string) => {
      for (const order of ordersFromJson(json)) this.deliverOrder(order);
    });
    if (this.clustered) this.watchers.attach(this.gateway.server);
    this.marketPhase = this.state.marketStatus().phase;
    this.marketTimer = setInterval(() => this.pollMarketStatus(), MARKET_STATUS_POLL_MS).unref();
    this.unregisterGauges = registerGaugeSource({
      connections: () => ({ socketio: this.gateway.connectionCount, kite: this.kite.connectionCount }),
      subscriptions: () => this.fanout.subscriptions,
    });
  }

  /** Before Redis connections close (they go in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.marketTimer) clearInterval(this.marketTimer);
    this.sendOrdersToReplicas();
    this.watchers.detach();
    this.unregisterGauges?.();
    this.fanout.close();
    await this.unsubscribeRevocations?.().catch(() => undefined);
  }

  @OnEvent(QUOTES_UPDATED)
  onQuotes(event: QuotesUpdatedEvent): void {
    this.fanout.publish(event);
  }

  @OnEvent(FEED_STATUS_CHANGED)
  onFeedStatus(event: FeedStatusChangedEvent): void {
    this.state.feed = { stale: event.stale, since: event.since };
    this.gateway.server?.local.emit('stale', this.state.feed);
  }

  /**
   * Reliable (not volatile): an order update must arrive, even behind a slow tick frame. The
   * other replicas get the order itself, batched (acknowledgements are applied in batches, and
   * each server-side event is a PUBLISH that every replica receives and decodes), and only when
   * one of them holds a connection of the user: most updates have no one watching.
   */
  @OnEvent(ORDER_UPDATED)
  onOrderUpdated({ order }: OrderUpdatedEvent): void {
    this.deliverOrder(order);
    if (!this.clustered || !this.watchers.watchedElsewhere(order.userId)) return;
    this.outgoingOrders.push(order);
    this.outgoingFlush ??= setImmediate(() => this.sendOrdersToReplicas());
  }

  /** serverSideEmit reaches the other replicas only; this one delivers its own. */
  private sendOrdersToReplicas(): void {
    if (this.outgoingFlush) clearImmediate(this.outgoingFlush);
    this.outgoingFlush = null;
    if (!this.outgoingOrders.length) return;
    const orders = this.outgoingOrders;
    this.outgoingOrders = [];
    this.gateway.server?.serverSideEmit(ORDER_UPDATES, JSON.stringify(orders));
  }

  /** To the user's sockets and Kite ticker connections on this replica, if they have any. */
  private deliverOrder(order: Order): void {
    const room = userRoom(order.userId);
    const sockets = this.gateway.server?.sockets.adapter.rooms.get(room)?.size ?? 0;
    const kite = this.kite.hasUser(order.userId);
    if (!sockets && !kite) return;
    const update = orderView(order, 'iso');
    if (sockets) {
      this.gateway.server.local.to(room).emit('order_update', update);
      framesSent.inc({ kind: 'order_update' });
    }
    if (kite) this.kite.sendOrder(order.userId, { ...orderView(order, 'kite'), account_id: order.placedBy, unfilled_quantity: update.pending_quantity });
  }

  @OnEvent(ALERT_TRIGGERED)
  onAlert(event: AlertTriggeredEvent): void {
    this.gateway.server?.to(userRoom(event.userId)).emit('alert', event.alert);
  }

  /** The portfolio module's margin watcher decided; the trader hears it wherever they are connected. */
  @OnEvent(MARGIN_CALL)
  onMarginCall(event: MarginCallEvent): void {
    const usedPct = Math.round((event.loss * 100) / event.margin);
    const notice: MarginCallNotice = {
      level: event.level,
      message:
        event.level === 'square_off'
          ? `Intraday losses have used ${usedPct}% of their margin: your MIS positions are being squared off`
          : `Intraday losses have used ${usedPct}% of their margin: add funds or reduce positions`,
      required: paiseToRupees(event.margin),
      available: paiseToRupees(Math.max(0, event.margin - event.loss)),
      shortfall: paiseToRupees(event.loss),
      at: event.at,
    };
    this.gateway.server?.to(userRoom(event.userId)).emit('margin_call', notice);
  }

  private onSessionRevoked(message: string): void {
    let event: SessionRevokedEvent;
    try {
      event = JSON.parse(message) as SessionRevokedEvent;
    } catch {
      return this.logger.warn('unreadable session.revoked message');
    }
    this.gateway.closeSession(event.userId, event.sessionId);
    this.kite.closeSession(event.userId, event.sessionId);
  }

  private pollMarketStatus(): void {
    const status = this.state.marketStatus();
    if (status.phase === this.marketPhase) return;
    this.marketPhase = status.phase;
    this.gateway.server?.local.emit('market_status', status);
  }
}
