import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { InputError } from '../../common/errors';
import { rupeesToPaise } from '../../common/money/money';
import { RateLimitBucket } from '../../common/http/rate-limit.decorator';
import { AuthUser } from '../auth/auth.types';
import { CurrentUser } from '../auth/current-user.decorator';
import { ListQueryDto, ModifyOrderDto, OrderIdParamDto, PlaceOrderDto, TradesQueryDto } from './dto/order.dto';
import { IDEMPOTENCY_KEY } from './idempotency';
import { orderView, tradeView } from './order-view';
import { OrdersService, toOrderInput } from './orders.service';

export function idempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) throw new InputError('Idempotency-Key must be 8-128 characters of A-Z a-z 0-9 . _ : -');
  return header;
}

export function modifyInput(dto: ModifyOrderDto) {
  return {
    quantity: dto.quantity,
    price: dto.price !== undefined ? rupeesToPaise(dto.price, 'price') : undefined,
    triggerPrice: dto.trigger_price !== undefined ? rupeesToPaise(dto.trigger_price, 'trigger_price') : undefined,
    orderType: dto.order_type,
    validity: dto.validity,
    disclosedQuantity: dto.disclosed_quantity,
  };
}

/** JSON orders API for first-party clients (the web terminal). */
@ApiTags('orders')
@ApiBearerAuth()
@Controller('api/v1')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  /** Places an order. Send Idempotency-Key to make retries safe: a replay answers the first result. */
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @RateLimitBucket('orders')
  @Post('orders')
  @HttpCode(200)
  async place(
    @CurrentUser() user: AuthUser,
    @Body() body: PlaceOrderDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.orders.place(user, toOrderInput(body, body.variety ?? 'regular'), idempotencyKey(key));
    if (result.replayed) void reply.header('Idempotent-Replayed', 'true');
    return result.response;
  }

  @Get('orders')
  async list(@CurrentUser() user: AuthUser, @Query() q: ListQueryDto) {
    return (await this.orders.store.list(user.userId, q)).map((o) => orderView(o, 'iso'));
  }

  @Get('orders/:order_id')
  async get(@CurrentUser() user: AuthUser, @Param() { order_id }: OrderIdParamDto) {
    return orderView(await this.orders.store.getOwned(user.userId, order_id), 'iso');
  }

  @Get('orders/:order_id/history')
  async history(@CurrentUser() user: AuthUser, @Param() { order_id }: OrderIdParamDto) {
    await this.orders.store.getOwned(user.userId, order_id);
    return this.orders.store.history(order_id);
  }

  @Get('orders/:order_id/trades')
  async orderTrades(@CurrentUser() user: AuthUser, @Param() { order_id }: OrderIdParamDto) {
    await this.orders.store.getOwned(user.userId, order_id);
    return (await this.orders.store.trades(user.userId, { orderId: order_id })).reverse().map((t) => tradeView(t, 'iso'));
  }

  @RateLimitBucket('orders')
  @Patch('orders/:order_id')
  async modify(@CurrentUser() user: AuthUser, @Param() { order_id }: OrderIdParamDto, @Body() body: ModifyOrderDto) {
    return orderView(await this.orders.modify(user, order_id, modifyInput(body)), 'iso');
  }

  @RateLimitBucket('orders')
  @Delete('orders/:order_id')
  async cancel(@CurrentUser() user: AuthUser, @Param() { order_id }: OrderIdParamDto) {
    return orderView(await this.orders.cancel(user, order_id), 'iso');
  }

  /** Cancels every open order; answers the ids asked to cancel. */
  @RateLimitBucket('orders')
  @Post('orders/cancel-all')
  @HttpCode(200)
  async cancelAll(@CurrentUser() user: AuthUser) {
    return { order_ids: await this.orders.cancelAll(user) };
  }

  /** The trade book, newest first: filter by symbol and IST dates; page with `before` = the last row's `id`. */
  @Get('trades')
  async trades(@CurrentUser() user: AuthUser, @Query() q: TradesQueryDto) {
    if (q.from && q.to && q.from > q.to) throw new InputError('from must not be after to');
    return (await this.orders.store.trades(user.userId, q)).map((t) => ({ id: t.id, ...tradeView(t, 'iso') }));
  }
}
