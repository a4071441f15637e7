import { Body, Controller, HttpCode, ParseArrayPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { InputError } from '../../common/errors';
import { paiseToRupees, rupeesToPaise } from '../../common/money/money';
import { MarginOrderDto } from './dto/margin-order.dto';
import { RiskService } from './risk.service';

const items = new ParseArrayPipe({
  items: MarginOrderDto,
  whitelist: true,
  forbidNonWhitelisted: true,
  exceptionFactory: (errors) => new InputError(`Invalid order list: ${JSON.stringify(errors).slice(0, 300)}`),
});

/** Kite's margin calculators; the same rules and numbers as order placement, without placing anything. */
@ApiTags('margins')
@ApiBearerAuth()
@Controller()
export class MarginsController {
  constructor(private readonly risk: RiskService) {}

  private async one(o: MarginOrderDto) {
    const intent = this.risk.intentFor({
      exchange: o.exchange,
      tradingsymbol: o.tradingsymbol.toUpperCase(),
      transactionType: o.transaction_type,
      orderType: o.order_type,
      product: o.product,
      validity: 'DAY',
      variety: o.variety,
      quantity: o.quantity,
      price: o.price ? rupeesToPaise(o.price, 'price') : 0,
      triggerPrice: o.trigger_price ? rupeesToPaise(o.trigger_price, 'trigger_price') : 0,
      disclosedQuantity: 0,
    });
    const { margin, settings } = await this.risk.assess(intent, { checkHours: false });
    return {
      type: 'equity',
      tradingsymbol: intent.instrument.tradingsymbol,
      exchange: intent.instrument.exchange,
      span: 0,
      exposure: 0,
      option_premium: 0,
      additional: 0,
      bo: 0,
      cash: 0,
      var: paiseToRupees(margin),
      pnl: { realised: 0, unrealised: 0 },
      leverage: o.product === 'MIS' ? Number((100 / settings.misMarginPct).toFixed(2)) : 1,
      total: paiseToRupees(margin),
    };
  }

  @ApiBody({ type: [MarginOrderDto] })
  @Post(['margins/orders', 'api/v1/margins/orders'])
  @HttpCode(200)
  async orders(@Body(items) orders: MarginOrderDto[]) {
    if (orders.length === 0 || orders.length > 50) throw new InputError('Send between 1 and 50 orders');
    return Promise.all(orders.map((o) => this.one(o)));
  }

  /** Margin for a basket: the sum of its orders (no hedge benefit in the cash market). */
  @ApiBody({ type: [MarginOrderDto] })
  @Post(['margins/basket', 'api/v1/margins/basket'])
  @HttpCode(200)
  async basket(@Body(items) orders: MarginOrderDto[]) {
    const each = await this.orders(orders);
    const total = Number(each.reduce((sum, o) => sum + rupeesToPaise(o.total), 0));
    const summary = { type: '', tradingsymbol: '', exchange: '', span: 0, exposure: 0, option_premium: 0, additional: 0, bo: 0, cash: 0, var: paiseToRupees(total), pnl: { realised: 0, unrealised: 0 }, leverage: 0, total: paiseToRupees(total) };
    return { initial: summary, final: summary, orders: each };
  }
}
