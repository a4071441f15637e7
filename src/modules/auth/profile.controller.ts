import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { maskPan, User } from '../users/user.types';
import { UsersService } from '../users/users.service';
import { AuthUser } from './auth.types';
import { CurrentUser } from './current-user.decorator';

export const BROKER = 'MSTOCK';

/** Kite's profile shape: what a client needs to know about the account it acts for. */
export function kiteProfile(user: User) {
  return {
    user_id: user.clientId,
    user_type: 'individual',
    email: user.email,
    user_name: user.name,
    user_shortname: user.name.split(/\s+/)[0],
    broker: BROKER,
    exchanges: ['NSE', 'BSE'],
    products: ['CNC', 'MIS'],
    order_types: ['MARKET', 'LIMIT', 'SL', 'SL-M'],
    avatar_url: null,
    meta: { demat_consent: 'physical' },
  };
}

@ApiTags('user')
@ApiBearerAuth()
@Controller()
export class ProfileController {
  constructor(private readonly users: UsersService) {}

  @Get('api/v1/me')
  async me(@CurrentUser() caller: AuthUser) {
    const user = await this.users.getById(caller.userId);
    return {
      user_id: user.id,
      client_id: user.clientId,
      email: user.email,
      name: user.name,
      phone: user.phone,
      pan: maskPan(user.pan),
      kyc_status: user.kycStatus,
      trading_blocked: user.tradingBlocked,
      created_at: user.createdAt,
    };
  }

  /** Kite Connect: GET /user/profile. */
  @Get('user/profile')
  async profile(@CurrentUser() caller: AuthUser) {
    return kiteProfile(await this.users.getById(caller.userId));
  }
}
