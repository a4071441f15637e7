import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiHeader, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { InputError } from '../../common/errors';
import { RateLimitBucket } from '../../common/http/rate-limit.decorator';
import { AuthUser } from '../auth/auth.types';
import { CurrentUser } from '../auth/current-user.decorator';
import { ModifyOrderDto, OrderIdParamDto, PlaceOrderDto, VarietyOrderParamDto, VarietyParamDto } from './dto/order.dto';
import { formatTime, orderView, tradeView } from './order-view';
import { idempotencyKey, modifyInput } from './orders.controller';
import { OrdersService, toOrderInput } from './orders.service';

/** Kite Connect v3 order routes: form-encoded in, {status, data} out, so Kite SDKs work unchanged. */
@ApiTags('kite')
@ApiSecurity('kite')
@Controller()
export class KiteOrdersController {
  constructor(private readonly orders: OrdersService) {}

  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @RateLimitBucket('orders')
  @Post('orders/:variety')
  @HttpCode(200)
  async place(
    @CurrentUser() user: AuthUser,
    @Param() { variety }: VarietyParamDto,
    @Body() body: PlaceOrderDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (body.variety && body.variety !== variety) throw new InputError(`variety ${body.variety} in the body does not match /orders/${variety}`);
    const result = await this.orders.place(user, toOrderInput(body, variety), idempotencyKey(key));
    if (result.replayed) void reply.header('Idempotent-Replayed', 'true');
    return result.response;
  }

  @RateLimitBucket('orders')
  @Put('orders/:variety/:order_id')
  async modify(@CurrentUser() user: AuthUser, @Param() p: VarietyOrderParamDto, @Body() body: ModifyOrderDto) {
    return { order_id: (await this.orders.modify(user, p.order_id, modifyInput(body))).id };
  }

  @RateLimitBucket('orders')
  @Delete('orders/:variety/:order_id')
  async cancel(@CurrentUser() user: AuthUser, @Param() p: VarietyOrderParamDto) {
    return { order_id: (await this.orders.cancel(user, p.order_id)).id };
  }

  @Get('orders')
  async list(@CurrentUser() user: AuthUser) {
    return (await this.orders.store.list(user.userId, {})).reverse().map((o) => orderView(o, 'kite'));
  }

  /** Kite: the order's history, one entry per status it went through (oldest first). */
  @Get('orders/:order_id')
  async history(@CurrentUser() user: AuthUser, @Param() { order_id }: OrderIdParamDto) {
    const order = await this.orders.store.getOwned(user.userId, order_id);
    const view = orderView(order, 'kite');
    return (await this.orders.store.history(order_id)).map((e) => ({
      ...view,
      status: e.status,
      status_message: e.message,
      order_timestamp: formatTime(new Date(e.at), 'kite'),
    }));
  }

  @Get('orders/:order_id/trades')
  async orderTrades(@CurrentUser() user: AuthUser, @Param() { order_id }: OrderIdParamDto) {
    await this.orders.store.getOwned(user.userId, order_id);
    return (await this.orders.store.trades(user.userId, { orderId: order_id })).reverse().map((t) => tradeView(t, 'kite'));
  }

  @Get('trades')
  async trades(@CurrentUser() user: AuthUser) {
    return (await this.orders.store.trades(user.userId)).reverse().map((t) => tradeView(t, 'kite'));
  }
}
