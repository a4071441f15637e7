import { Injectable, Module } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { DEMO_USER_READY, DemoUserReady } from '../auth/auth.types';
import { FundsController } from './funds.controller';
import { FundsService } from './funds.service';

/** ₹10,00,000 of demo cash, credited once when the demo account is first seen. */
const DEMO_FUNDS = 10_00_000_00;

@Injectable()
class DemoFunds {
  constructor(private readonly funds: FundsService) {}

  @OnEvent(DEMO_USER_READY, { async: true, promisify: true })
  async credit({ userId }: DemoUserReady): Promise<void> {
    const current = await this.funds.get(userId);
    if (current.balance === 0 && current.blocked === 0) await this.funds.payIn(userId, DEMO_FUNDS, undefined, 'demo funds');
  }
}

@Module({
  controllers: [FundsController],
  providers: [FundsService, DemoFunds],
  exports: [FundsService],
})
export class AccountsModule {}
