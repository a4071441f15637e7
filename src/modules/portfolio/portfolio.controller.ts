import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InputError } from '../../common/errors';
import { paiseToRupees } from '../../common/money/money';
import { RateLimitBucket } from '../../common/http/rate-limit.decorator';
import { FundsService } from '../accounts/funds.service';
import { AuthUser } from '../auth/auth.types';
import { CurrentUser } from '../auth/current-user.decorator';
import { InstrumentsService } from '../instruments';
import { ConvertPositionDto } from './dto/convert-position.dto';
import { holdingView, positionView } from './portfolio-view';
import { PortfolioService } from './portfolio.service';
import { PositionConversionService } from './position-conversion.service';
import { SquareOffService } from './square-off.service';

/** Positions, holdings and the funds view, on the Kite paths and under /api/v1. */
@ApiTags('portfolio')
@ApiBearerAuth()
@Controller()
export class PortfolioController {
  constructor(
    private readonly portfolio: PortfolioService,
    private readonly conversion: PositionConversionService,
    private readonly squareOff: SquareOffService,
    private readonly instruments: InstrumentsService,
    private readonly funds: FundsService,
  ) {}

  /** Kite: {net, day}. Net: today's positions plus older ones still open; day: today's only. */
  @Get(['portfolio/positions', 'api/v1/portfolio/positions'])
  async positions(@CurrentUser() user: AuthUser) {
    const { positions } = await this.portfolio.rows(user.userId);
    const today = this.portfolio.tradeDate();
    const views = positions.flatMap((p) => {
      const i = this.instruments.getByToken(p.instrumentToken);
      return i ? [{ row: p, view: positionView(p, i, this.portfolio.lastPrice(p.instrumentToken), today) }] : [];
    });
    return { net: views.map((v) => v.view), day: views.filter((v) => v.row.tradeDate === today).map((v) => v.view) };
  }

  @Get(['portfolio/holdings', 'api/v1/portfolio/holdings'])
  async holdings(@CurrentUser() user: AuthUser) {
    const { holdings } = await this.portfolio.rows(user.userId);
    return holdings.flatMap((h) => {
      const i = this.instruments.getByToken(h.instrumentToken);
      return i ? [holdingView(h, i, this.portfolio.lastPrice(h.instrumentToken))] : [];
    });
  }

  /** Kite: convert a position between MIS and CNC (margin re-checked). */
  @Put(['portfolio/positions', 'api/v1/portfolio/positions'])
  async convert(@CurrentUser() user: AuthUser, @Body() body: ConvertPositionDto) {
    if (body.position_type !== 'day') throw new InputError('Only day positions can be converted');
    await this.conversion.convert(user.userId, this.portfolio.tradeDate(), {
      exchange: body.exchange,
      tradingsymbol: body.tradingsymbol.toUpperCase(),
      transactionType: body.transaction_type,
      quantity: body.quantity,
      oldProduct: body.old_product,
      newProduct: body.new_product,
    });
    return true;
  }

  /** Cash and what it is doing: balance, blocked, available, used margin, realised P&L today, MTM. */
  @Get('api/v1/portfolio/funds')
  async fundsView(@CurrentUser() user: AuthUser) {
    const [f, pnl] = await Promise.all([this.funds.get(user.userId), this.portfolio.pnl(user.userId)]);
    return {
      balance: paiseToRupees(f.balance),
      available: paiseToRupees(f.available),
      blocked: paiseToRupees(f.blocked),
      debit: paiseToRupees(f.debit),
      used_margin: paiseToRupees(pnl.usedMargin),
      realised_pnl: paiseToRupees(pnl.realised),
      mtm: paiseToRupees(pnl.unrealised),
    };
  }

  /** Closes every open position of today with market orders (after cancelling open orders). */
  @RateLimitBucket('orders')
  @Post('api/v1/portfolio/positions/exit-all')
  @HttpCode(200)
  async exitAll(@CurrentUser() user: AuthUser) {
    return { order_ids: await this.squareOff.squareOff(user.userId, this.portfolio.tradeDate(), { reason: 'EXIT_ALL' }) };
  }
}
