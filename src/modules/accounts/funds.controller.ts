import { Body, Controller, Get, HttpCode, Ip, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { paiseToRupees, rupeesToPaise } from '../../common/money/money';
import { AuthUser } from '../auth/auth.types';
import { CurrentUser } from '../auth/current-user.decorator';
import { FundsTransferDto, MarginSegmentDto } from './dto/funds.dto';
import { Funds, FundsService } from './funds.service';

const rupees = (f: Funds) => ({
  balance: paiseToRupees(f.balance),
  available: paiseToRupees(f.available),
  blocked: paiseToRupees(f.blocked),
  debit: paiseToRupees(f.debit),
  opening_balance: paiseToRupees(f.openingBalance),
});

/** Kite's margins shape for one segment; the cash market is the only enabled one. */
function kiteSegment(f: Funds | null) {
  const zero = { adhoc_margin: 0, cash: 0, opening_balance: 0, live_balance: 0, collateral: 0, intraday_payin: 0 };
  const used = {
    debits: f ? paiseToRupees(f.blocked + f.debit) : 0,
    exposure: 0,
    m2m_realised: 0,
    m2m_unrealised: 0,
    option_premium: 0,
    payout: 0,
    span: 0,
    holding_sales: 0,
    turnover: 0,
    liquid_collateral: 0,
    stock_collateral: 0,
    delivery: f ? paiseToRupees(f.blocked) : 0,
  };
  if (!f) return { enabled: false, net: 0, available: zero, utilised: used };
  return {
    enabled: true,
    net: paiseToRupees(f.available),
    available: { ...zero, cash: paiseToRupees(f.balance), opening_balance: paiseToRupees(f.openingBalance), live_balance: paiseToRupees(f.available) },
    utilised: used,
  };
}

@ApiTags('funds')
@ApiBearerAuth()
@Controller()
export class FundsController {
  constructor(private readonly funds: FundsService) {}

  @Get('api/v1/funds')
  async get(@CurrentUser() user: AuthUser) {
    return rupees(await this.funds.get(user.userId));
  }

  /** Simulated bank transfer into the trading account. */
  @Post('api/v1/funds/payin')
  @HttpCode(200)
  async payIn(@CurrentUser() user: AuthUser, @Body() body: FundsTransferDto, @Ip() ip: string) {
    return rupees(await this.funds.payIn(user.userId, rupeesToPaise(body.amount), ip));
  }

  /** Simulated withdrawal; only free cash can leave. */
  @Post('api/v1/funds/payout')
  @HttpCode(200)
  async payOut(@CurrentUser() user: AuthUser, @Body() body: FundsTransferDto, @Ip() ip: string) {
    return rupees(await this.funds.payOut(user.userId, rupeesToPaise(body.amount), ip));
  }

  /** Kite Connect: GET /user/margins. */
  @Get('user/margins')
  async margins(@CurrentUser() user: AuthUser) {
    const f = await this.funds.get(user.userId);
    return { equity: kiteSegment(f), commodity: kiteSegment(null) };
  }

  /** Kite Connect: GET /user/margins/:segment. */
  @Get('user/margins/:segment')
  async segment(@CurrentUser() user: AuthUser, @Param() { segment }: MarginSegmentDto) {
    return kiteSegment(segment === 'equity' ? await this.funds.get(user.userId) : null);
  }
}
